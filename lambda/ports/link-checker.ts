/** Checks whether links still work. The adapter speaks HTTP; what its answers mean is core/link-check.ts's. */
import type { LinkProbe } from '../core/link-check';

export interface LinkChecker {
  /**
   * One probe per URL, in the order given. Never throws for a link's own failure (that is a probe); stops
   * requesting when `signal` aborts (the run's deadline) and reports the links left as skipped.
   */
  check(urls: readonly string[], options?: { signal?: AbortSignal }): Promise<LinkProbe[]>;
}
