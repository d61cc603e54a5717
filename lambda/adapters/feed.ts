/**
 * Bookmarks from a feed: Pinboard's public RSS 1.0 feeds (tags in `dc:subject`) or any RSS/Atom feed.
 * The body is fetched here (timeout, retries) and parsed with rss-parser's `parseString`; its own
 * `parseURL` caches ETags per instance and resolves null on a 304 (REFERENCE.md).
 */
import Parser from 'rss-parser';
import { SourceError } from '../core/errors';
import type { Bookmark } from '../core/model';
import type { RetryPolicy } from '../core/retry';
import type { BookmarkSource, SourceResult } from '../ports/bookmark-source';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, excerpt, fetchText, withHttpRetry } from './http';
import { decodeEntities, splitTags } from './pinboard-post';

/** Pinboard's public feeds serve only the newest items unless asked for more; public clients use up to 400. */
export const PINBOARD_FEED_COUNT = 400;

type Item = Parser.Item & { subject?: string; 'dc:date'?: string; date?: string; updated?: string };

export interface FeedOptions {
  url: string;
  /** What to call the feed in messages. */
  label: string;
  /** Items the feed was asked for: when it returns that many, the window may be cut off. */
  requestedCount?: number;
  /** The whole request, headers and body. */
  timeoutMs?: number;
  /** Largest body read (`sourceLimits.maxBodyBytes`). */
  maxBodyBytes?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

export function pinboardFeedUrl(base: string, user: string, tag?: string): string {
  const root = base.replace(/\/+$/, '');
  const tagPart = tag ? `t:${encodeURIComponent(tag)}/` : '';
  return `${root}/rss/u:${encodeURIComponent(user)}/${tagPart}?count=${PINBOARD_FEED_COUNT}`;
}

function itemTime(item: Item): string | undefined {
  const raw = item.isoDate ?? item['dc:date'] ?? item.date ?? item.pubDate ?? item.updated;
  if (!raw) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function itemTags(item: Item): string[] {
  if (typeof item.subject === 'string') return splitTags(item.subject);
  return (item.categories ?? []).flatMap((c) => (typeof c === 'string' ? splitTags(c) : []));
}

export class FeedSource implements BookmarkSource {
  readonly description: string;
  private readonly parser = new Parser<Record<string, never>, Item>({
    customFields: { item: [['dc:subject', 'subject'], ['dc:date', 'dc:date'], 'updated'] },
  });

  constructor(private readonly options: FeedOptions) {
    this.description = options.label;
  }

  async fetchSince(from: string): Promise<SourceResult> {
    const { label } = this.options;
    const retry = this.options.retry ?? { attempts: 3, baseDelayMs: 2000, maxDelayMs: 30_000, jitter: 0.2 };
    const body = await withHttpRetry(
      async () => {
        const res = await fetchText(this.options.url, label, {
          timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          maxBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5' },
        });
        if (res.status !== 200) throw new SourceError(`${label}: HTTP ${res.status}: ${excerpt(res.body)}`);
        return res.body;
      },
      retry,
      { sleep: this.options.sleep },
    );

    let feed: Parser.Output<Item>;
    try {
      feed = await this.parser.parseString(body);
    } catch (cause) {
      throw new SourceError(
        `${label}: not a readable RSS or Atom feed (${(cause as Error).message}): ${excerpt(body)}`,
        {
          cause,
        },
      );
    }

    const bookmarks: Bookmark[] = [];
    const warnings: string[] = [];
    let undated = 0;
    for (const item of feed.items) {
      const savedAt = itemTime(item);
      const url = (item.link ?? '').trim();
      if (!savedAt || !url) {
        undated++;
        continue;
      }
      bookmarks.push({
        url,
        title: decodeEntities(item.title ?? '').trim(),
        note: (item.contentSnippet ?? item.content ?? '').trim(),
        tags: itemTags(item),
        savedAt,
        // Public feeds carry public bookmarks only, and cannot say whether one is unread.
        shared: true,
        toread: false,
      });
    }
    if (undated > 0) warnings.push(`${label}: ${undated} item(s) without a link or date were skipped`);
    const oldest = bookmarks.reduce<string | undefined>(
      (min, b) => (!min || b.savedAt < min ? b.savedAt : min),
      undefined,
    );
    const full = this.options.requestedCount === undefined || feed.items.length >= this.options.requestedCount;
    if (full && oldest && oldest > from && feed.items.length > 0) {
      warnings.push(
        `${label}: the feed's oldest item (${oldest}) is newer than the window start (${from}); older links may be missing`,
      );
    }
    return { bookmarks, unchanged: false, warnings };
  }
}
