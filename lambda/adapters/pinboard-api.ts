/**
 * Bookmarks from the Pinboard API v1 (https://pinboard.in/api). Keeps Pinboard's limits across runs:
 * one call every 3 s, `posts/all` once per 5 minutes (a second run within 5 minutes reuses the first
 * run's answer when nothing changed), doubling back-off on 429 and 5xx, a timeout on every call.
 * The token is sent, never logged: errors name the method, not the URL.
 */
import { SourceError } from '../core/errors';
import { type RetryPolicy, sleep as realSleep } from '../core/retry';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from '../core/source-limits';
import type { BookmarkSource, SourceResult } from '../ports/bookmark-source';
import { readMemo, writeMemo } from '../ports/memo';
import { PINBOARD_LAST_CALL, PINBOARD_POSTS_ALL, type PostsAllMemo } from '../ports/memo-kinds';
import type { Memos } from '../ports/store';
import { excerpt, fetchText, withHttpRetry } from './http';
import { fromPinboardPosts } from './pinboard-post';

export interface PinboardApiOptions {
  baseUrl: string;
  /** `user:HEX`, from PINBOARD_TOKEN. */
  token: string;
  memo: Memos;
  /** Pinboard: "one call per user every three seconds". */
  minIntervalMs?: number;
  /** Pinboard: `posts/all` once every five minutes. */
  allIntervalMs?: number;
  /** One call, headers and body. */
  timeoutMs?: number;
  /** Largest answer read (`sourceLimits.maxBodyBytes`). */
  maxBodyBytes?: number;
  retry?: RetryPolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

/** Pinboard's `fromdt` form: `YYYY-MM-DDThh:mm:ssZ`, floored to the second. */
export const pinboardTime = (iso: string) => `${new Date(iso).toISOString().slice(0, 19)}Z`;

export class PinboardApiSource implements BookmarkSource {
  readonly description: string;
  private readonly user: string;
  private readonly minIntervalMs: number;
  private readonly allIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PinboardApiOptions) {
    const user = options.token.split(':')[0] ?? '';
    if (!/^[^:\s]+:[^:\s]+$/.test(options.token)) {
      throw new SourceError('PINBOARD_TOKEN must look like user:HEX (Pinboard → Settings → Password → API token)');
    }
    this.user = user;
    this.description = `Pinboard API (${options.baseUrl}, user ${user})`;
    this.minIntervalMs = options.minIntervalMs ?? 3000;
    this.allIntervalMs = options.allIntervalMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.retry = options.retry ?? { attempts: 4, baseDelayMs: 3000, maxDelayMs: 60_000, jitter: 0 };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Waits out Pinboard's 3 s spacing, counting calls made by earlier runs too (an unreadable time: none). */
  private async pace(): Promise<void> {
    const last = (await readMemo(this.options.memo, PINBOARD_LAST_CALL, this.user)) ?? 0;
    const wait = last + this.minIntervalMs - this.now();
    if (wait > 0) await this.sleep(wait);
  }

  /**
   * Stamped when an answer (or failure) is back, not when the request left: Pinboard sees a request
   * some milliseconds after it is sent, so spacing from the send time could fall under 3 s there.
   */
  private async stamp(): Promise<void> {
    await writeMemo(this.options.memo, PINBOARD_LAST_CALL, this.user, this.now());
  }

  private async call(method: string, params: Record<string, string> = {}): Promise<unknown> {
    const query = new URLSearchParams({ ...params, format: 'json', auth_token: this.options.token });
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${method}?${query}`;
    const label = `Pinboard ${method}`;
    return withHttpRetry(
      async () => {
        await this.pace();
        const { status, body, contentType } = await fetchText(url, label, {
          timeoutMs: this.timeoutMs,
          maxBytes: this.maxBodyBytes,
        }).finally(() => this.stamp());
        if (status === 401 || status === 403) {
          throw new SourceError(`${label}: Pinboard refused the token (${status}): check PINBOARD_TOKEN`);
        }
        if (status !== 200) throw new SourceError(`${label}: unexpected HTTP ${status}: ${excerpt(body)}`);
        try {
          return JSON.parse(body) as unknown;
        } catch (cause) {
          const kind = /json/i.test(contentType) ? 'malformed JSON' : `a non-JSON body (${contentType || 'no type'})`;
          throw new SourceError(`${label}: Pinboard sent ${kind}: ${excerpt(body)}`, { cause });
        }
      },
      this.retry,
      {
        sleep: this.sleep,
        onRetry: (e, attempt, delay) =>
          this.options.log?.(`${(e as Error).message}; retry ${attempt} in ${Math.round(delay / 1000)} s`),
      },
    );
  }

  /**
   * One `posts/update` call, paced like every call: when the user's bookmarks last changed (ISO time). It is
   * the cheapest call there is, so `doctor` makes it to prove the token works.
   */
  async lastUpdate(): Promise<string> {
    const update = await this.call('posts/update');
    const updateTime = (update as { update_time?: unknown } | null)?.update_time;
    if (typeof updateTime !== 'string' || Number.isNaN(Date.parse(updateTime))) {
      throw new SourceError(`Pinboard posts/update: no update_time in the answer: ${excerpt(JSON.stringify(update))}`);
    }
    return updateTime;
  }

  /**
   * 1. `posts/update`: if nothing changed since `from`, stop (one call).
   * 2. A `posts/all` answer from the last 5 minutes that covers `from` and this update time is reused.
   * 3. Otherwise `posts/all?fromdt=…` (the second call), remembered for step 2.
   */
  async fetchSince(from: string): Promise<SourceResult> {
    const updateTime = await this.lastUpdate();
    if (Date.parse(updateTime) < Date.parse(from)) return { bookmarks: [], unchanged: true, warnings: [] };

    const fromdt = pinboardTime(from);
    // An unreadable answer is none: posts/all is called again (ports/memo-kinds.ts).
    const memo = await readMemo(this.options.memo, PINBOARD_POSTS_ALL, this.user);
    if (memo && this.now() - memo.at < this.allIntervalMs) {
      if (memo.updateTime === updateTime && memo.fromdt <= fromdt) {
        return { bookmarks: memo.bookmarks, unchanged: false, warnings: [] };
      }
      const after = new Date(memo.at + this.allIntervalMs).toISOString();
      throw new SourceError(
        `Pinboard allows posts/all once every 5 minutes and bookmarks changed since the last call: try again after ${after}`,
      );
    }

    const posts = fromPinboardPosts(await this.call('posts/all', { fromdt }), 'Pinboard posts/all');
    const saved: PostsAllMemo = { at: this.now(), fromdt, updateTime, bookmarks: posts.filter((b) => b.shared) };
    await writeMemo(this.options.memo, PINBOARD_POSTS_ALL, this.user, saved);
    return { bookmarks: posts, unchanged: false, warnings: [] };
  }
}
