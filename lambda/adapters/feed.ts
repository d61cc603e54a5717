/**
 * Bookmarks from a feed: Pinboard's public RSS 1.0 feeds (tags in `dc:subject`), any RSS 0.9x/1.0/2.0 or
 * Atom feed, or a JSON Feed 1.0/1.1. The steps live in ./feed/: the body is fetched bounded (../http),
 * decoded in its charset (charset), parsed as XML strictly then leniently, or up to the cut when it was cut
 * off (xml-tree), or as JSON, read field by field whatever the shapes, elements by namespace whatever their
 * prefix (parse-xml, namespaces, parse-json), then turned into bookmarks with resolved, checked links
 * (items); undated items are dated when first seen (first-seen). An odd item is skipped and counted in a
 * warning, a truncated feed is read up to the cut and said to be; only a body that is no feed at all (or
 * was cut off before any item was complete) fails the source, in one line.
 *
 * Polite polling: the answer's ETag and Last-Modified come back as the source's state, and the next fetch
 * sends them as If-None-Match / If-Modified-Since; a 304 is `unchanged`, with nothing read or parsed.
 * Redirects are followed (at most 5, ../http); a feed that moved for good is named in a warning.
 */
import { SourceError } from '../core/errors';
import type { Bookmark } from '../core/model';
import type { RetryPolicy } from '../core/retry';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from '../core/source-limits';
import type { BookmarkSource, SourceResult, SourceState } from '../ports/bookmark-source';
import type { Memos } from '../ports/store';
import { firstSeenTimes } from './feed/first-seen';
import { readFeedBody } from './feed/read';
import { excerpt, fetchBody, type HttpBody, safeUrl, withHttpRetry } from './http';

/** Pinboard's public feeds serve only the newest items unless asked for more; public clients use up to 400. */
export const PINBOARD_FEED_COUNT = 400;

export interface FeedOptions {
  url: string;
  /** What to call the feed in messages: never a URL with a secret. */
  label: string;
  /** Items the feed was asked for: when it returns that many, the window may be cut off. */
  requestedCount?: number;
  /** The whole request, headers and body. */
  timeoutMs?: number;
  /** Largest body read (`sourceLimits.maxBodyBytes`). */
  maxBodyBytes?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Where the first-seen times of undated items are kept; without it they are dated at each run. */
  memo?: Memos;
  /** Preview: the first-seen memo is read, never written. */
  readOnly?: boolean;
}

export function pinboardFeedUrl(base: string, user: string, tag?: string): string {
  const root = base.replace(/\/+$/, '');
  const tagPart = tag ? `t:${encodeURIComponent(tag)}/` : '';
  return `${root}/rss/u:${encodeURIComponent(user)}/${tagPart}?count=${PINBOARD_FEED_COUNT}`;
}

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

export class FeedSource implements BookmarkSource {
  readonly description: string;

  constructor(private readonly options: FeedOptions) {
    this.description = options.label;
  }

  /** The validators of a previous answer as conditional request headers (RFC 9110 §13.1). */
  private static conditionalHeaders(state: SourceState | undefined): Record<string, string> {
    return {
      ...(state?.etag ? { 'if-none-match': state.etag } : {}),
      ...(state?.lastModified ? { 'if-modified-since': state.lastModified } : {}),
    };
  }

  /** An answer's validators, to send on the next fetch; undefined when it has none. */
  private static validatorsOf(headers: Headers, previous?: SourceState): SourceState | undefined {
    const etag = headers.get('etag') ?? previous?.etag;
    const lastModified = headers.get('last-modified') ?? previous?.lastModified;
    if (!etag && !lastModified) return undefined;
    return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  }

  private fetch(state: SourceState | undefined): Promise<HttpBody> {
    const { label } = this.options;
    const retry = this.options.retry ?? { attempts: 3, baseDelayMs: 2000, maxDelayMs: 30_000, jitter: 0.2 };
    const conditional = FeedSource.conditionalHeaders(state);
    return withHttpRetry(
      async () => {
        const res = await fetchBody(this.options.url, label, {
          timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          maxBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          headers: { accept: ACCEPT, ...conditional },
        });
        if (res.status === 304 && Object.keys(conditional).length > 0) return res;
        if (res.status !== 200)
          throw new SourceError(`${label}: HTTP ${res.status}: ${excerpt(res.body.toString('utf8'))}`);
        return res;
      },
      retry,
      { sleep: this.options.sleep },
    );
  }

  /**
   * 1. Fetch (bounded, retried on transient failures, conditional on `state`); a 304 ends here, unchanged.
   * 2. Read the body (./feed/read): charset, JSON Feed or XML strictly then leniently, every item whatever
   * its shapes, links resolved (against the URL that answered) and checked.
   * 3. Warn when a full feed does not reach back to `from`. 4. Date undated items when first seen (`now`,
   * the run's clock, for new ones). Only SourceErrors (or the store's own errors) leave here.
   */
  async fetchSince(from: string, now: string = new Date().toISOString(), state?: SourceState): Promise<SourceResult> {
    const { label } = this.options;
    const answer = await this.fetch(state);
    const moved = answer.movedTo
      ? [`${label}: moved permanently to ${safeUrl(answer.movedTo)}: put the new URL in the config`]
      : [];
    const validators = FeedSource.validatorsOf(answer.headers, answer.status === 304 ? state : undefined);
    if (answer.status === 304) {
      return { bookmarks: [], unchanged: true, warnings: moved, ...(validators ? { state: validators } : {}) };
    }
    const read = readFeedBody(answer, answer.url, label);
    const { bookmarks, total } = read;
    const warnings = [...moved, ...read.warnings];

    // Judged on the feed's own dates: items dated now (first seen) say nothing about how far back it reaches.
    const oldest = bookmarks.reduce<string | undefined>(
      (min, b) => (b.savedAt && (!min || b.savedAt < min) ? b.savedAt : min),
      undefined,
    );
    const full = this.options.requestedCount === undefined || total >= this.options.requestedCount;
    if (full && oldest && oldest > from) {
      warnings.push(
        `${label}: the feed's oldest item (${oldest}) is newer than the window start (${from}); older links may be missing`,
      );
    }

    const undated = bookmarks.filter((b) => !b.savedAt);
    const times = await firstSeenTimes(
      undated.map((b) => b.url),
      now,
      { memo: this.options.memo, feedUrl: this.options.url, readOnly: this.options.readOnly },
    );
    undated.forEach((b, i) => {
      b.savedAt = times[i];
    });
    return {
      bookmarks: bookmarks as Bookmark[],
      unchanged: false,
      warnings,
      ...(validators ? { state: validators } : {}),
    };
  }
}
