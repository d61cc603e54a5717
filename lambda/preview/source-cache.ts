/**
 * Keeps a network source's last answer between rebuilds of the live preview: a template edit re-renders the
 * bookmarks already fetched instead of asking Pinboard again. The answer (or the failure) is kept until
 * `refresh()`: on a timer or when the author asks, never oftener than `minIntervalMs`. The adapter below
 * still paces its own calls (Pinboard's 3 s and 5 min rules); this only keeps the preview from asking.
 */
import type { BookmarkSource, SourceResult, SourceState } from '../ports/bookmark-source';

export class CachedSource implements BookmarkSource {
  readonly description: string;
  private kept?: { key: string; result: Promise<SourceResult> };
  /** When the source was last asked (ms), for the page and the refresh limit. */
  fetchedAt?: number;

  constructor(
    private readonly inner: BookmarkSource,
    private readonly clock: () => number = Date.now,
  ) {
    this.description = inner.description;
  }

  fetchSince(from: string, now?: string, state?: SourceState): Promise<SourceResult> {
    const key = JSON.stringify([from, state ?? null]);
    if (this.kept?.key !== key) {
      this.fetchedAt = this.clock();
      this.kept = { key, result: this.inner.fetchSince(from, now, state) };
      // A failure is kept too (until the next refresh): a broken feed is not asked again on every keystroke.
      this.kept.result.catch(() => {});
    }
    return this.kept.result;
  }

  /** The next fetchSince asks the source again. */
  refresh(): void {
    this.kept = undefined;
  }
}
