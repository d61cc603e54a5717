/**
 * The archive in a private S3 bucket, served by CloudFront (infra/site.ts): each file one PutObject with its
 * content type and cache-control. A PutObject replaces an object whole, so a reader never gets half a page.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SiteBatches } from '../core/site';
import type { SitePublisher } from '../ports/site';
import { writeInBatches } from './site-batches';

/** PutObject calls in flight at once within a batch (a rebuild writes hundreds of pages). */
const CONCURRENCY = 16;

export interface S3SiteOptions {
  bucket: string;
  /** Default: a client from the environment (AWS_REGION, AWS_ENDPOINT_URL_S3). */
  client?: S3Client;
}

export class S3SitePublisher implements SitePublisher {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly options: S3SiteOptions) {
    this.client = options.client ?? new S3Client({});
    this.description = `S3 bucket ${options.bucket}`;
  }

  publish(batches: SiteBatches): Promise<number> {
    return writeInBatches(batches, CONCURRENCY, async (file) => {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: file.path,
          Body: file.body,
          ContentType: file.contentType,
          CacheControl: file.cacheControl,
        }),
      );
    });
  }
}
