import type { Bookmark } from '../core/model';

export interface SourceResult {
  bookmarks: Bookmark[];
  /** True when the source said nothing changed since `from` (Pinboard `posts/update`): no more calls made. */
  unchanged: boolean;
  /** Things the author should know, e.g. that a feed may not reach back to the window's start. */
  warnings: string[];
}

/** Where bookmarks come from: Pinboard API, Pinboard RSS, any feed, an export file. */
export interface BookmarkSource {
  /** For log lines: never contains a secret. */
  readonly description: string;
  /**
   * Bookmarks saved at or after `from` (ISO); a source may return older ones too, selection drops them.
   * `now` is the run's clock, the window's end: a source that dates items itself (a feed item without a
   * date gets the time it was first seen) uses it, so those items fall inside the window.
   */
  fetchSince(from: string, now?: string): Promise<SourceResult>;
}
