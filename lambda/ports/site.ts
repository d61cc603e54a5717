import type { SiteBatches } from '../core/site';

/**
 * Where the archive lives: a folder (out/site/) or a bucket behind CloudFront. Each file is replaced whole
 * (a reader never gets half a page), and every file of a batch is written before the next batch starts, so
 * the index and feeds never link to a page that is not there yet.
 */
export interface SitePublisher {
  readonly description: string;
  /** Writes the batches in order; returns how many files were written. */
  publish(batches: SiteBatches): Promise<number>;
}
