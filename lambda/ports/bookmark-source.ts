import type { Bookmark } from '../core/model';

/**
 * What a source keeps between fetches (a feed's ETag and Last-Modified), opaque to everyone else. It is
 * handed back on the next fetch only once the issue that used this fetch's links has been composed and
 * sent: a preview, a run that composed nothing or one whose links were carried never moves it.
 */
export type SourceState = Readonly<Record<string, string>>;

export interface SourceResult {
  bookmarks: Bookmark[];
  /**
   * True when the source said nothing changed since `from` (Pinboard `posts/update`) or since the state it
   * was given (a feed's 304 Not Modified): no more calls made, nothing parsed.
   */
  unchanged: boolean;
  /** Things the author should know, e.g. that a feed may not reach back to the window's start. */
  warnings: string[];
  /** What to hand back on the next fetch once these links are delivered; none: the next fetch is a full one. */
  state?: SourceState;
}

/** Where bookmarks come from: Pinboard API, Pinboard RSS, any feed, an export file. */
export interface BookmarkSource {
  /** For log lines: never contains a secret. */
  readonly description: string;
  /**
   * Bookmarks saved at or after `from` (ISO); a source may return older ones too, selection drops them.
   * `now` is the run's clock, the window's end: a source that dates items itself (a feed item without a
   * date gets the time it was first seen) uses it, so those items fall inside the window. `state` is what
   * the source returned on the fetch whose links the last sent issue carried.
   */
  fetchSince(from: string, now?: string, state?: SourceState): Promise<SourceResult>;
}

/** One of the config's sources, under the id its window start and state are kept by between issues. */
export interface NamedSource {
  /** Stable while the source's config entry is unchanged; holds no secret. */
  id: string;
  source: BookmarkSource;
}
