/**
 * When each undated link of a feed was first seen, kept per source in one Store memo, so an undated item
 * gets the same time on every run and goes out once (issue 12, item 4). Bounded: the links seen least
 * recently are forgotten first; a forgotten link that comes back is still caught by the sent-link set.
 * Links are stored as short hashes of their normalized form: a memo holds no URL (a private feed's
 * secret never lands in the store) and stays small (≈ 35 bytes a link, about 100 KB at the bound; a
 * DynamoDB item holds 400 KB).
 */
import { createHash } from 'node:crypto';
import { normalizeUrl } from '../../core/url';
import { readMemo, writeMemo } from '../../ports/memo';
import { FEED_FIRST_SEEN } from '../../ports/memo-kinds';
import type { Memos } from '../../ports/store';

export const FIRST_SEEN_LIMIT = 3000;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('base64url').slice(0, length);

/** A feed's id in its memo's key: its URL hashed, since a feed URL may carry a secret. */
const feedId = (feedUrl: string) => hash(feedUrl, 16);

/** The memo key for a feed. */
export const firstSeenKey = (feedUrl: string) => FEED_FIRST_SEEN.key(feedId(feedUrl));

export interface FirstSeenOptions {
  memo?: Memos;
  /** The feed's URL: one memo per source. */
  feedUrl: string;
  /** Preview: read the memo, never write it. */
  readOnly?: boolean;
  limit?: number;
}

/**
 * The first-seen time (ISO) of each URL: remembered, or `now` for one not seen before. Writes the memo
 * back (unless read-only), those seen now last, cut to the limit.
 */
export async function firstSeenTimes(urls: string[], now: string, options: FirstSeenOptions): Promise<string[]> {
  if (urls.length === 0) return [];
  const id = feedId(options.feedUrl);
  // Read leniently (ports/memo-kinds.ts): anything unreadable is an empty memory, never a failed run.
  const seen = new Map(options.memo ? await readMemo(options.memo, FEED_FIRST_SEEN, id) : undefined);
  // Milliseconds, as `now` has them: an item carried to the next issue must keep exactly its time, or it
  // could fall just before that window (the watermark may be this very time).
  const nowMs = Date.parse(now);
  const times = urls.map((url) => {
    const id = hash(normalizeUrl(url), 12);
    const at = seen.get(id) ?? nowMs;
    // Re-inserted: a Map keeps insertion order, so these become the most recently seen.
    seen.delete(id);
    seen.set(id, at);
    return new Date(at).toISOString();
  });
  if (options.memo && !options.readOnly) {
    const limit = options.limit ?? FIRST_SEEN_LIMIT;
    await writeMemo(options.memo, FEED_FIRST_SEEN, id, [...seen].slice(-limit));
  }
  return times;
}
