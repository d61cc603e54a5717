/**
 * Every kind of memo the store holds, its key and its stored form, declared once (./memo.ts reads and writes
 * them). The keys and the text are what existing stores hold: changing either strands their memos.
 *
 *   enqueue:<issue>                      enqueue progress (jobs/enqueue-issue.ts)          invalid: refused
 *   source-cursors                       each source's cursor, by issue (jobs/fetch-sources.ts)  read as none
 *   feed-first-seen:<feed url hash>      when undated feed links were first seen (adapters/feed/first-seen.ts)
 *   pinboard-api:<user>:last-call        when Pinboard was last called (adapters/pinboard-api.ts)
 *   pinboard-api:<user>:posts-all        the last posts/all answer, public bookmarks only (the same)
 *   signup:ip:<bucket>                   sign-ups from one IP bucket this hour (jobs/subscription-limits.ts)
 *   signup:s:<subscriber id>             one address's sign-ups today, its last confirmation (the same)
 *   soft-bounces:<subscriber id>         the times of a reader's transient bounces (jobs/record-ses-events.ts)  refused
 *   review:<issue>                       the draft of that issue and the ones it replaced (jobs/review.ts)  refused
 *   variant:<issue>:<key>                one rendering of an issue for readers who chose some sections (jobs/enqueue-issue.ts)  refused
 *
 * Refused: a run acting on a wrong value would do harm (enqueue again what was enqueued, forget bounces), so
 * it stops and names the key. Read as none: the state is a cache, a pace or a counter that may start over,
 * and the next write replaces it; those kinds also drop the entries inside a value that are odd, keeping the rest.
 */
import type { Bookmark, RenderedIssue } from '../core/model';
import type { DraftFile } from '../core/review';
import type { SourceState } from './bookmark-source';
import { check, isRecord, type MemoKind, parseJsonObject } from './memo';

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

// ---- enqueue progress -------------------------------------------------------------------------------

/** Kept while an issue is enqueued: where to go on after a crash or a retry. */
export interface EnqueueProgress {
  cursor?: string;
  recipients: number;
  batches: number;
  done: boolean;
  /** Bumped each time a finished enqueue is started over for the recipients still missing. */
  round: number;
  /**
   * Readers this issue was held from to go into a later round-up (monthly, or paused), if any: the next issue
   * looks back at it for them (jobs/enqueue-issue.ts). Never lowered by a round that starts over.
   */
  held?: number;
}

export const ENQUEUE_PROGRESS: MemoKind<EnqueueProgress, number> = {
  what: 'enqueue progress',
  key: (issue) => `enqueue:${issue}`,
  format: (progress) => JSON.stringify(progress),
  parse(text) {
    const { cursor, recipients, batches, done, round, held } = parseJsonObject(text);
    check(cursor === undefined || isString(cursor), 'cursor is not a string');
    check(isCount(recipients) && isCount(batches) && isCount(round), 'recipients, batches or round is not a count');
    check(held === undefined || isCount(held), 'held is not a count');
    check(typeof done === 'boolean', 'done is not true or false');
    // In the order enqueueIssue builds it, so a value read and written back keeps its bytes.
    return {
      recipients,
      batches,
      done,
      round,
      ...(held === undefined ? {} : { held }),
      ...(cursor === undefined ? {} : { cursor }),
    };
  },
  invalid: 'refuse',
};

// ---- source cursors ---------------------------------------------------------------------------------

/** Where a source's next fetch starts, and what it hands back to the source. */
export interface SourceCursor {
  from: string;
  state?: SourceState;
}

/** Source id → cursor. */
export type Cursors = Record<string, SourceCursor>;

/** `{ "<issue>": { "<source id>": { from, state? } } }`: an odd issue or cursor is left out, as if never kept. */
export const SOURCE_CURSORS: MemoKind<Record<string, Cursors>, void> = {
  what: 'source cursors',
  key: () => 'source-cursors',
  format: (byIssue) => JSON.stringify(byIssue),
  parse(text) {
    const byIssue: Record<string, Cursors> = {};
    for (const [issue, cursors] of Object.entries(parseJsonObject(text))) {
      if (!isRecord(cursors)) continue;
      const valid: Cursors = {};
      for (const [id, c] of Object.entries(cursors)) {
        if (!isRecord(c) || !isString(c.from) || Number.isNaN(Date.parse(c.from))) continue;
        const state = isRecord(c.state) && Object.values(c.state).every(isString) ? c.state : undefined;
        valid[id] = { from: c.from, ...(state ? { state: state as SourceState } : {}) };
      }
      byIssue[issue] = valid;
    }
    return byIssue;
  },
  invalid: 'absent',
};

// ---- feed first-seen times --------------------------------------------------------------------------

/** `[[<link hash>, <first seen, ms>], …]`, least recently seen first; an odd pair is left out. */
export const FEED_FIRST_SEEN: MemoKind<[string, number][], string> = {
  what: 'feed first-seen times',
  key: (feedHash) => `feed-first-seen:${feedHash}`,
  format: (pairs) => JSON.stringify(pairs),
  parse(text) {
    const pairs: unknown = JSON.parse(text);
    check(Array.isArray(pairs), 'not a JSON array');
    const isPair = (p: unknown): p is [string, number] => Array.isArray(p) && isString(p[0]) && Number.isFinite(p[1]);
    return pairs.filter(isPair);
  },
  invalid: 'absent',
};

// ---- Pinboard API -----------------------------------------------------------------------------------

/** When the last call's answer (or failure) came back, ms since the epoch, as decimal text. */
export const PINBOARD_LAST_CALL: MemoKind<number, string> = {
  what: 'Pinboard last call',
  key: (user) => `pinboard-api:${user}:last-call`,
  format: (ms) => String(ms),
  parse(text) {
    const ms = Number(text);
    check(Number.isFinite(ms), 'not a number');
    return ms;
  },
  invalid: 'absent',
};

/** The last `posts/all` answer, reused within Pinboard's five minutes. */
export interface PostsAllMemo {
  /** When it was fetched, ms since the epoch. */
  at: number;
  fromdt: string;
  updateTime: string;
  /** Public bookmarks only: a private one is never written anywhere. */
  bookmarks: Bookmark[];
}

const isBookmark = (b: unknown): b is Bookmark =>
  isRecord(b) &&
  [b.url, b.title, b.note, b.savedAt].every(isString) &&
  Array.isArray(b.tags) &&
  b.tags.every(isString) &&
  typeof b.shared === 'boolean' &&
  typeof b.toread === 'boolean';

export const PINBOARD_POSTS_ALL: MemoKind<PostsAllMemo, string> = {
  what: 'Pinboard posts/all answer',
  key: (user) => `pinboard-api:${user}:posts-all`,
  format: (memo) => JSON.stringify(memo),
  parse(text) {
    const { at, fromdt, updateTime, bookmarks } = parseJsonObject(text);
    check(Number.isFinite(at), 'at is not a number');
    check(isString(fromdt) && isString(updateTime), 'fromdt or updateTime is not a string');
    check(Array.isArray(bookmarks) && bookmarks.every(isBookmark), 'bookmarks are not bookmarks');
    return { at: at as number, fromdt, updateTime, bookmarks };
  },
  invalid: 'absent',
};

// ---- sign-up limits ---------------------------------------------------------------------------------

export interface Window {
  /** Start, in seconds since the epoch. */
  start: number;
  count: number;
}

/** `<start>:<count>`: this hour's sign-up requests from one bucket of IPs. */
export const SIGNUP_IP: MemoKind<Window, string> = {
  what: 'sign-ups per IP',
  key: (bucket) => `signup:ip:${bucket}`,
  format: (window) => `${window.start}:${window.count}`,
  parse(text) {
    const match = /^(\d+):(\d+)$/.exec(text);
    check(match !== null, 'not <start>:<count>');
    return { start: Number(match[1]), count: Number(match[2]) };
  },
  invalid: 'absent',
};

/** What is remembered per address: this day's requests and when the last confirmation went out (seconds). */
export interface AddressMemo {
  window?: Window;
  lastConfirmation?: number;
}

/** `{"w": <window start>, "n": <count>, "c": <last confirmation>}`, each optional; an odd field is left out. */
export const SIGNUP_ADDRESS: MemoKind<AddressMemo, string> = {
  what: 'sign-ups per address',
  key: (subscriberId) => `signup:s:${subscriberId}`,
  format: (memo) => JSON.stringify({ w: memo.window?.start, n: memo.window?.count, c: memo.lastConfirmation }),
  parse(text) {
    const { w, n, c } = parseJsonObject(text);
    return {
      ...(typeof w === 'number' && typeof n === 'number' ? { window: { start: w, count: n } } : {}),
      ...(typeof c === 'number' ? { lastConfirmation: c } : {}),
    };
  },
  invalid: 'absent',
};

// ---- soft bounces -----------------------------------------------------------------------------------

/** `["<notice time>", …]`: the reader's latest transient bounces, one per notice. */
export const SOFT_BOUNCES: MemoKind<string[], string> = {
  what: 'soft bounces',
  key: (subscriberId) => `soft-bounces:${subscriberId}`,
  format: (times) => JSON.stringify(times),
  parse(text) {
    const times: unknown = JSON.parse(text);
    check(Array.isArray(times) && times.every(isString), 'not a JSON array of times');
    return times;
  },
  invalid: 'refuse',
};

// ---- review drafts ----------------------------------------------------------------------------------

const DRAFT_STATES = new Set(['draft', 'approved', 'held', 'sent', 'replaced']);
const isEvents = (v: unknown) =>
  Array.isArray(v) && v.every((e) => isRecord(e) && isString(e.action) && isString(e.at) && isString(e.by));

/** The current draft of an issue number and the drafts it replaced: refused when odd (it holds the issue to send). */
export const REVIEW_DRAFTS: MemoKind<DraftFile, number> = {
  what: 'review draft',
  key: (issue) => `review:${issue}`,
  format: (file) => JSON.stringify(file),
  parse(text) {
    const { current, earlier } = parseJsonObject(text);
    check(isRecord(current), 'current is not an object');
    check(isString(current.id) && /^[A-Za-z0-9_-]{16}$/.test(current.id), 'current.id is not a draft id');
    check(isCount(current.issue) && isString(current.sendAt) && isString(current.timeZone), 'issue or sendAt is odd');
    check(current.mode === 'auto' || current.mode === 'approve', 'mode is neither auto nor approve');
    check(isString(current.state) && DRAFT_STATES.has(current.state), 'state is not a draft state');
    const record = current.record;
    check(
      isRecord(record) && isRecord(record.rendered) && isString(record.rendered.html) && isRecord(record.model),
      'record is not an issue record',
    );
    check(isRecord(current.preflight) && isString(current.fingerprint), 'preflight or fingerprint is missing');
    check(isEvents(current.events), 'events is not a list of events');
    check(
      Array.isArray(earlier) && earlier.every((d) => isRecord(d) && isString(d.id) && isEvents(d.events)),
      'earlier is not a list of drafts',
    );
    return { current, earlier } as unknown as DraftFile;
  },
  invalid: 'refuse',
};

// ---- variants ---------------------------------------------------------------------------------------

/**
 * An issue rendered for readers who chose some of its sections, or a round-up of several issues: rendered
 * once, read by every send of it.
 */
export interface IssueVariant {
  rendered: RenderedIssue;
  /** The sections it holds, in its order, and their links' count. */
  sections: string[];
  bookmarkCount: number;
  /** A round-up's issues, oldest first, and the links the budget left to the archive. */
  roundup?: { issues: number[]; more: number };
}

/** Refused when odd: a reader would be sent a wrong rendering. */
export const ISSUE_VARIANT: MemoKind<IssueVariant, { issue: number; key: string }> = {
  what: 'issue variant',
  key: ({ issue, key }) => `variant:${issue}:${key}`,
  format: (variant) => JSON.stringify(variant),
  parse(text) {
    const { rendered, sections, bookmarkCount, roundup } = parseJsonObject(text);
    check(
      isRecord(rendered) && [rendered.subject, rendered.preheader, rendered.html, rendered.text].every(isString),
      'rendered is not a rendered issue',
    );
    check(Array.isArray(sections) && sections.every(isString) && isCount(bookmarkCount), 'sections or count is odd');
    check(
      roundup === undefined ||
        (isRecord(roundup) && Array.isArray(roundup.issues) && roundup.issues.every(isCount) && isCount(roundup.more)),
      'roundup is odd',
    );
    return {
      rendered: rendered as unknown as RenderedIssue,
      sections,
      bookmarkCount,
      ...(roundup ? { roundup: roundup as IssueVariant['roundup'] } : {}),
    };
  },
  invalid: 'refuse',
};
