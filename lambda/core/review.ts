/**
 * The author's review of an issue before it goes out (config `review`): the draft, what the preflight shows
 * of it, the actions on it and the rules of the deadline. Pure: values in, values out.
 *
 * A draft is the next issue composed ahead of its send time and kept aside: not an issue yet (no issue
 * number is used up, nothing is on the archive, none of its links count as sent). At the deadline an
 * approved draft (or, in `auto` mode, one not held) becomes the issue, byte for byte, and goes through the
 * pipeline as any issue does. A held draft is dropped at the next draft: its links are still unsent, so they
 * are composed into that one.
 */
import { createHash } from 'node:crypto';
import type { DeadLink, IssueRecord } from './model';

export type ReviewMode = 'auto' | 'approve';

export interface ReviewSettings {
  mode: ReviewMode;
  /** How long before the scheduled send the draft is composed and the preflight mailed. */
  leadHours: number;
  /** Who gets the preflight, and the only address a reply with a note is taken from. */
  to: string;
}

/**
 * `draft`: composed, preflight mailed, nothing decided. `approved` / `held`: the author's word. `sent`: it
 * became issue N at its deadline. `replaced`: a later draft for the same issue number took its place.
 */
export type DraftState = 'draft' | 'approved' | 'held' | 'sent' | 'replaced';

export type ReviewAction =
  | 'drafted'
  | 'preflight'
  | 'note'
  | 'recomposed'
  | 'approved'
  | 'held'
  | 'missed'
  | 'sent'
  | 'replaced';

/** Who acted: the command line, a link in the preflight, a reply to it, or the schedule. */
export type ReviewActor = 'cli' | 'link' | 'reply' | 'schedule';

export interface ReviewEvent {
  action: ReviewAction;
  at: string;
  by: ReviewActor;
  /** What it changed, in words ("2 links added: …"), or why nothing went out. */
  detail?: string;
}

/** A link left out of the draft and why: the preflight lists these (private ones are only counted). */
export interface LeftOutLink {
  url: string;
  title: string;
  why: 'over the limit' | 'over the size budget';
}

/** What the preflight block says beside the issue itself. */
export interface PreflightFacts {
  /** Left out, counted only: a private bookmark's title is not shown even to the author's inbox. */
  counts: {
    private: number;
    toread: number;
    alreadySent: number;
    excludedTag: number;
    notIncludedTag: number;
    outsideWindow: number;
    duplicate: number;
    unsupportedScheme: number;
  };
  /** Carried into the next issue. */
  carried: LeftOutLink[];
  /** Dead links found by the link check, and what was done with each. */
  dead: DeadLink[];
  /** The personalized HTML's size (decoded, CRLF) and the budget it must stay under (Gmail clips past ~102 KB). */
  htmlBytes: number;
  maxHtmlBytes: number;
  /** Active readers when the draft was made. */
  readers: number;
  /** What they will get by their choices (jobs/reader-shares.ts `forecastShares`), most first; absent: all the whole issue. */
  shares?: { label: string; readers: number }[];
  warnings: string[];
}

export interface Draft {
  /** Random, URL-safe: the review links name it, never the issue number alone. */
  id: string;
  issue: number;
  /** The scheduled send (ISO): the deadline, and when the review links expire. */
  sendAt: string;
  /** The schedule's time zone: the preflight says the send time in it. */
  timeZone: string;
  mode: ReviewMode;
  state: DraftState;
  /** The issue as it will be stored and sent (status `composed`; the note, if any, already rendered in). */
  record: IssueRecord;
  preflight: PreflightFacts;
  /** What the draft was composed from (core/review.ts `fingerprintOf`): approving recomposes when it moved. */
  fingerprint: string;
  events: ReviewEvent[];
}

/** A draft that was replaced by a later one for the same issue number: its history only. */
export interface EarlierDraft {
  id: string;
  state: DraftState;
  composedAt: string;
  sendAt: string;
  events: ReviewEvent[];
}

/** What the store keeps per issue number under review: the current draft and the ones before it. */
export interface DraftFile {
  current: Draft;
  earlier: EarlierDraft[];
}

/**
 * What compose-issue is invoked with on AWS (its `source`): the schedule's tick (the deadline), the draft
 * schedule's hourly tick, and a review action a page's button or a reply asks for.
 */
export const COMPOSE_EVENTS = {
  deadline: 'pinboard-digest.schedule',
  draft: 'pinboard-digest.draft',
  review: 'pinboard-digest.review',
} as const;

/** The review links' purposes: each token works for one of them only. */
export type ReviewPurpose = 'approve' | 'hold' | 'note';

/** The token subject of a review link: the draft and the review address, so a link works for one of each. */
export function reviewSubject(draftId: string, reviewAddress: string): string {
  const tag = createHash('sha256').update(`pinboard-digest review\n${reviewAddress.trim().toLowerCase()}`).digest();
  return `${draftId}${tag.toString('base64url').slice(0, 16)}`;
}

/** A review link: `/review/<purpose>?t=TOKEN` on the site's address (the subscription API's routes). */
export const reviewPath = (purpose: ReviewPurpose) => `/review/${purpose}`;

/** Where a draft is at its deadline: whether it goes out, and if not, why (said by `send` and logged on AWS). */
export type DeadlineDecision = { send: true } | { send: false; reason: string };

export function deadlineDecision(draft: Draft | undefined, mode: ReviewMode): DeadlineDecision {
  if (!draft) {
    return mode === 'auto'
      ? { send: true }
      : {
          send: false,
          reason: 'review mode is "approve" and no draft was made for this issue (run `pinboard-digest draft`)',
        };
  }
  const n = `draft of issue #${draft.issue}`;
  switch (draft.state) {
    case 'approved':
      return { send: true };
    case 'draft':
      return mode === 'auto'
        ? { send: true }
        : {
            send: false,
            reason: `the ${n} is not approved (review mode "approve"): approve it with \`pinboard-digest approve\` or the preflight's link`,
          };
    case 'held':
      return {
        send: false,
        reason: `the ${n} is held: nothing sent; its links stay unsent and go into the next draft (\`pinboard-digest approve\` sends it after all)`,
      };
    case 'sent':
    case 'replaced':
      return { send: false, reason: `the ${n} was already ${draft.state}` };
  }
}

/** What the draft's links are, to tell whether a recomposed draft differs: every shown field of every link. */
export function fingerprintOf(record: IssueRecord): string {
  const links = record.model.sections.map((s) => [
    s.title,
    s.bookmarks.map((b) => [b.url, b.title, b.note, b.tags.join(' ')]),
  ]);
  return createHash('sha256').update(JSON.stringify(links)).digest('base64url');
}

/** What changed between two drafts' links, in words ("2 links added: A, B"); empty when nothing did. */
export function describeChanges(before: IssueRecord, after: IssueRecord): string[] {
  const index = (r: IssueRecord) =>
    new Map(r.model.sections.flatMap((s) => s.bookmarks.map((b) => [b.url, { ...b, section: s.title }] as const)));
  const was = index(before);
  const now = index(after);
  const quote = (titles: string[]) =>
    titles
      .slice(0, 5)
      .map((t) => `"${t}"`)
      .join(', ') + (titles.length > 5 ? `, and ${titles.length - 5} more` : '');
  const added = [...now.values()].filter((b) => !was.has(b.url)).map((b) => b.title);
  const removed = [...was.values()].filter((b) => !now.has(b.url)).map((b) => b.title);
  const edited = [...now.values()]
    .filter((b) => {
      const old = was.get(b.url);
      return old && (old.title !== b.title || old.note !== b.note || old.tags.join(' ') !== b.tags.join(' '));
    })
    .map((b) => b.title);
  const moved = [...now.values()]
    .filter((b) => {
      const old = was.get(b.url);
      return old && old.section !== b.section;
    })
    .map((b) => b.title);
  const lines: string[] = [];
  const count = (n: number) => `${n} link${n === 1 ? '' : 's'}`;
  if (added.length) lines.push(`${count(added.length)} added: ${quote(added)}`);
  if (removed.length)
    lines.push(`${count(removed.length)} left out (deleted, made private or no longer eligible): ${quote(removed)}`);
  if (edited.length) lines.push(`${count(edited.length)} edited (title, description or tags): ${quote(edited)}`);
  if (moved.length) lines.push(`${count(moved.length)} in another section now: ${quote(moved)}`);
  return lines;
}

/** What a review page or a reply needs of a draft: small, and what crosses a function call on AWS. */
export interface DraftView {
  id: string;
  issue: number;
  subject: string;
  sendAt: string;
  timeZone: string;
  mode: ReviewMode;
  state: DraftState;
  note?: string;
}

export const draftView = (d: Draft): DraftView => ({
  id: d.id,
  issue: d.issue,
  subject: d.record.model.subject,
  sendAt: d.sendAt,
  timeZone: d.timeZone,
  mode: d.mode,
  state: d.state,
  ...(d.record.model.editorNote ? { note: d.record.model.editorNote } : {}),
});

/** Why a review link (or a reply's token) does nothing. */
export type LinkRefusal = 'malformed' | 'forged' | 'wrong-purpose' | 'expired' | 'other-draft' | 'gone' | 'busy';

/** A review action asked by a link's button or a reply: the token is its whole authority. */
export interface ReviewRequest {
  purpose: ReviewPurpose;
  token: string;
  /** The note's text (purpose `note`). */
  note?: string;
  by: ReviewActor;
}

/** What a review action did. */
export type ReviewAnswer =
  | { kind: 'done'; draft: DraftView; changes: string[]; late: boolean }
  | { kind: 'refused'; reason: LinkRefusal; detail?: string }
  /** The action itself could not be done (a note over the size budget, nothing left to send): why. */
  | { kind: 'failed'; draft: DraftView; message: string };
