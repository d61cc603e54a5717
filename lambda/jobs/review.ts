/**
 * The author's review of each issue (config `review`): the draft composed ahead of the send and mailed as a
 * preflight, and the author's approve, hold and note. The deadline itself is the producer's
 * (jobs/produce-issue.ts asks `draftAtDeadline` what to send). The rules of a draft are in core/review.ts.
 *
 * Every change to a draft happens under the `compose` lock, the one the producer holds: a note, an approval
 * and the deadline never interleave, and a duplicated draft tick composes one draft.
 */
import { randomBytes } from 'node:crypto';
import { personalizedHtmlBytes } from '../core/compose';
import { nextCronTime, parseCron } from '../core/cron';
import { DigestError } from '../core/errors';
import type { IssueRecord, Subscriber } from '../core/model';
import { normalizeNote } from '../core/note';
import { offeredSections } from '../core/prefs';
import {
  type Draft,
  type DraftFile,
  describeChanges,
  fingerprintOf,
  type PreflightFacts,
  type ReviewActor,
  type ReviewEvent,
  type ReviewPurpose,
  type ReviewSettings,
  reviewPath,
  reviewSubject,
} from '../core/review';
import { siteBase } from '../core/site-url';
import { createToken, type TokenPurpose } from '../core/tokens';
import { normalizeUrl } from '../core/url';
import type { Mailer } from '../ports/mailer';
import { readMemo, writeMemo } from '../ports/memo';
import { REVIEW_DRAFTS } from '../ports/memo-kinds';
import type { Store } from '../ports/store';
import { buildMessage, type MessageContext } from '../render/message';
import { renderPreflight } from '../render/preflight';
import { type ComposeNextDeps, composeNextIssue, type NextReport } from './compose-next';
import { exclusively } from './exclusive';
import { forecastShares } from './reader-shares';
import { testRecipientId } from './test-send';

/** A review action that cannot be done as asked: the message says why and what to do. */
export class ReviewError extends DigestError {
  /** For a review link's page: the link is for an earlier draft, or its draft is gone (sent, replaced). */
  constructor(
    message: string,
    readonly refusal?: 'other-draft' | 'gone',
  ) {
    super(message);
  }
}

export interface PreflightDeps {
  mailer: Mailer;
  message: MessageContext;
  title: string;
  lang: string;
  /** Replying to the preflight sets the note (AWS, with SES receiving the replies). */
  replyForNote: boolean;
}

export interface ReviewDeps {
  store: Store;
  /** Writable compose deps: a draft records the source cursors it was composed with, as an issue does. */
  compose: ComposeNextDeps;
  settings: ReviewSettings;
  schedule: { cron: string; timezone: string };
  preflight: PreflightDeps;
  now: () => Date;
  log?: (line: string) => void;
}

export const tokenPurpose = (purpose: ReviewPurpose): TokenPurpose => `review-${purpose}`;

type TokenDeps = Pick<ReviewDeps, 'settings'> & { message: MessageContext };

/** A review token: signed for that draft, that purpose and the review address, expiring at the send time. */
const reviewToken = (draft: Draft, deps: TokenDeps, purpose: ReviewPurpose) =>
  createToken(
    deps.message.secret,
    tokenPurpose(purpose),
    reviewSubject(draft.id, deps.settings.to),
    Date.parse(draft.sendAt),
  );

/** The three links of a draft's preflight. */
export function reviewLinks(draft: Draft, deps: TokenDeps) {
  const link = (purpose: ReviewPurpose) =>
    `${siteBase(deps.message.siteUrl)}${reviewPath(purpose)}?t=${reviewToken(draft, deps, purpose)}`;
  return { approve: link('approve'), hold: link('hold'), note: link('note') };
}

/** The token a reply's subject carries (` [ref:TOKEN]`): a note token, so a reply can only set the note. */
export const replyRef = (draft: Draft, deps: TokenDeps): string => reviewToken(draft, deps, 'note');

// ---- reading and writing drafts ------------------------------------------------------------------------

/** The draft file of the next issue, if one was made; with that issue's number. */
export async function currentDraft(
  store: Store,
): Promise<{ issue: number; file?: DraftFile; unfinished: boolean; sentBefore: boolean }> {
  const history = await store.history();
  const sentBefore = history.lastSent !== undefined;
  if (history.unfinished) return { issue: history.unfinished.issue, unfinished: true, sentBefore };
  const file = await readMemo(store, REVIEW_DRAFTS, history.nextIssue);
  return { issue: history.nextIssue, file, unfinished: false, sentBefore };
}

/** The review history of issue `issue` (sent or drafted), for `issues list` / `show`. */
export function draftFileOf(store: Store, issue: number): Promise<DraftFile | undefined> {
  return readMemo(store, REVIEW_DRAFTS, issue);
}

const event = (action: ReviewEvent['action'], at: Date, by: ReviewActor, detail?: string): ReviewEvent => ({
  action,
  at: at.toISOString(),
  by,
  ...(detail ? { detail } : {}),
});

async function saveDraft(store: Store, file: DraftFile): Promise<void> {
  await writeMemo(store, REVIEW_DRAFTS, file.current.issue, file);
}

/** The next scheduled send after `now`, in the schedule's zone. */
export function nextSendTime(schedule: ReviewDeps['schedule'], now: Date): Date {
  const at = nextCronTime(parseCron(schedule.cron), now, schedule.timezone);
  if (!at) throw new ReviewError(`schedule.cron "${schedule.cron}" never fires again: no send time for a draft`);
  return at;
}

// ---- the preflight -------------------------------------------------------------------------------------

function preflightFacts(
  report: NextReport,
  record: IssueRecord,
  forecast: Awaited<ReturnType<typeof forecastShares>>,
  warnings: string[],
  budget: number,
): PreflightFacts {
  const { readers, shares } = forecast;
  return {
    counts: {
      private: report.private,
      toread: report.toread,
      alreadySent: report.alreadySent,
      excludedTag: report.excludedTag,
      notIncludedTag: report.notIncludedTag,
      outsideWindow: report.outsideWindow,
      duplicate: report.duplicate,
      unsupportedScheme: Object.values(report.unsupportedScheme).reduce((a, b) => a + b, 0),
    },
    carried: report.carriedLinks ?? [],
    dead: record.model.deadLinks ?? [],
    htmlBytes: report.htmlBytes,
    maxHtmlBytes: budget,
    readers,
    ...(shares.some((s) => s.label !== 'the whole issue') ? { shares } : {}),
    warnings,
  };
}

/** The active readers and what each will get, for a draft's preflight. */
const forecastFor = (deps: ReviewDeps, record: IssueRecord, sendAt: Date) =>
  forecastShares(deps.store, record.model, sendAt, {
    offered: offeredSections(deps.compose.options),
    timeZone: deps.compose.options.timeZone ?? deps.schedule.timezone,
  });

/** Mails the preflight of `draft` to the review address: the issue as readers get it, under the preflight block. */
export async function mailPreflight(draft: Draft, deps: ReviewDeps): Promise<string> {
  const p = deps.preflight;
  const rendered = renderPreflight({
    draft,
    title: p.title,
    lang: p.lang,
    links: reviewLinks(draft, { settings: deps.settings, message: p.message }),
    issue: { html: draft.record.rendered.html, text: draft.record.rendered.text },
    replyForNote: p.replyForNote,
    subjectRef: p.replyForNote ? replyRef(draft, { settings: deps.settings, message: p.message }) : undefined,
    now: deps.now(),
  });
  const at = deps.now().toISOString();
  // A recipient id no subscriber has: the issue's unsubscribe link in the preflight unsubscribes nobody.
  const author: Subscriber = {
    id: testRecipientId(),
    email: deps.settings.to,
    status: 'active',
    createdAt: at,
    updatedAt: at,
  };
  const record: IssueRecord = { ...draft.record, rendered: { ...rendered } };
  const message = await buildMessage(record, author, p.message, deps.now());
  const receipt = await p.mailer.send({ ...message, preflight: true });
  return receipt.messageId;
}

// ---- composing a draft ---------------------------------------------------------------------------------

export type DraftOutcome =
  | { kind: 'drafted'; draft: Draft; report: NextReport; warnings: string[]; replaced?: Draft }
  | { kind: 'exists'; draft: Draft }
  | { kind: 'unfinished'; issue: number }
  /** The draft schedule ticked before `leadHours` ahead of the send: not yet. */
  | { kind: 'early'; sendAt: string; draftAt: string }
  | { kind: 'nothing'; reason: string; report?: NextReport; warnings: string[] };

/**
 * The draft tick (`pinboard-digest draft`, the AWS draft schedule): composes the next issue as a draft for
 * the next scheduled send and mails its preflight.
 * 1. An issue still going out comes first: no draft (`unfinished`).
 * 2. A live draft for that send (draft or approved) exists: nothing (`exists`; a duplicated tick).
 * 3. Compose as a send would (cursors recorded, nothing marked sent). Nothing new: stop.
 * 4. A held draft, or one whose send time passed unsent, is replaced (its links are composed again here).
 * 5. Store the draft, then mail the preflight; a failed mail leaves the draft stored and says so.
 * `withinLead` (the AWS draft schedule, every hour): before `leadHours` ahead of the send, nothing (`early`).
 */
export async function composeDraft(
  deps: ReviewDeps,
  by: ReviewActor = 'schedule',
  options: { withinLead?: boolean } = {},
): Promise<DraftOutcome> {
  const sendAt = nextSendTime(deps.schedule, deps.now());
  const draftAt = new Date(sendAt.getTime() - deps.settings.leadHours * 3_600_000);
  // The draft schedule ticks every hour: it drafts once the send is `leadHours` away (before the lock or the store).
  if (options.withinLead && deps.now() < draftAt) {
    return { kind: 'early', sendAt: sendAt.toISOString(), draftAt: draftAt.toISOString() };
  }
  return exclusively(deps.store, 'compose', async () => {
    const now = deps.now();
    const { issue, file, unfinished, sentBefore } = await currentDraft(deps.store);
    if (unfinished) return { kind: 'unfinished', issue };
    if (file && stands(file.current, now)) return { kind: 'exists', draft: file.current };

    const next = await composeNextIssue(deps.compose, now, firstWindow(file, sentBefore));
    if (next.kind === 'resume') return { kind: 'unfinished', issue: next.record.issue };
    if (next.kind === 'nothing')
      return { kind: 'nothing', reason: next.reason, report: next.report, warnings: next.warnings };
    const readers = await forecastFor(deps, next.record, sendAt);
    const draft: Draft = {
      id: randomBytes(12).toString('base64url'),
      issue: next.record.issue,
      sendAt: sendAt.toISOString(),
      timeZone: deps.schedule.timezone,
      mode: deps.settings.mode,
      state: 'draft',
      record: next.record,
      preflight: preflightFacts(next.report, next.record, readers, next.warnings, deps.compose.options.maxHtmlBytes),
      fingerprint: fingerprintOf(next.record),
      events: [event('drafted', now, by)],
    };
    const stored: DraftFile = {
      current: draft,
      earlier: file ? [...file.earlier, retired(file.current, now, by)] : [],
    };
    await saveDraft(deps.store, stored);
    await sendPreflight(stored, deps, by);
    return { kind: 'drafted', draft, report: next.report, warnings: next.warnings, replaced: file?.current };
  });
}

/**
 * Before the first issue is sent its window starts `firstIssueDays` before now, so a week-old held draft
 * would lose its oldest links: while there is no sent issue, a draft again starts where the first draft did.
 * (After that the last sent issue's watermark is the start, and a held draft's links are all after it.)
 */
function firstWindow(file: DraftFile | undefined, sentBefore: boolean): string | undefined {
  if (!file || sentBefore) return undefined;
  return file.current.record.model.window.from;
}

/**
 * Whether a draft stays as it is at a draft tick: until its send time whatever its state (a duplicated tick,
 * a hold, an approval all stand), and after it while the deadline still has to send it (approved, or in auto
 * mode not held). Held, or not approved in approve mode, once its send time passed: the next draft replaces it.
 */
function stands(draft: Draft, now: Date): boolean {
  if (draft.state === 'sent' || draft.state === 'replaced') return false;
  if (Date.parse(draft.sendAt) >= now.getTime()) return true;
  return draft.state === 'approved' || (draft.state === 'draft' && draft.mode === 'auto');
}

function retired(draft: Draft, now: Date, by: ReviewActor) {
  const events = draft.state === 'replaced' ? draft.events : [...draft.events, event('replaced', now, by)];
  return {
    id: draft.id,
    state: 'replaced' as const,
    composedAt: draft.record.composedAt,
    sendAt: draft.sendAt,
    events,
  };
}

/** Mails the preflight of the file's current draft and records it (a failure too: the draft stays as it is). */
async function sendPreflight(file: DraftFile, deps: ReviewDeps, by: ReviewActor): Promise<void> {
  const draft = file.current;
  try {
    const id = await mailPreflight(draft, deps);
    draft.events.push(event('preflight', deps.now(), by, `to ${deps.settings.to}`));
    deps.log?.(`review: preflight of issue #${draft.issue} mailed to ${deps.settings.to} (${id})`);
  } catch (error) {
    draft.events.push(event('preflight', deps.now(), by, `failed: ${(error as Error).message}`));
    deps.log?.(`review: the preflight of issue #${draft.issue} could not be mailed: ${(error as Error).message}`);
  }
  await saveDraft(deps.store, file);
}

const withCurrent = (file: DraftFile, draft: Draft): DraftFile => ({ ...file, current: draft });

// ---- the author's actions ------------------------------------------------------------------------------

export interface Target {
  /** `--issue N`: must be the next issue's number. */
  issue?: number;
  /** A review link's draft: must be the current draft. */
  draftId?: string;
  by: ReviewActor;
}

/** The draft an action is for, or a ReviewError naming why there is none. */
async function targetDraft(deps: ReviewDeps, target: Target): Promise<{ file: DraftFile; sentBefore: boolean }> {
  const { issue, file, unfinished, sentBefore } = await currentDraft(deps.store);
  if (target.issue !== undefined && target.issue !== issue) {
    const past = await deps.store.getIssue(target.issue);
    throw new ReviewError(
      past
        ? `issue #${target.issue} is not a draft: it was ${past.status === 'sent' ? `sent on ${past.sentAt}` : `already going out (${past.status})`}`
        : `there is no draft of issue #${target.issue}: the next issue is #${issue}`,
    );
  }
  if (unfinished) throw new ReviewError(`issue #${issue} is already going out: there is no draft to change`);
  if (!file) throw new ReviewError(`there is no draft of issue #${issue}: run \`pinboard-digest draft\` first`);
  if (target.draftId !== undefined && target.draftId !== file.current.id) {
    throw new ReviewError('that link is for an earlier draft: use the newest preflight', 'other-draft');
  }
  if (file.current.state === 'sent' || file.current.state === 'replaced') {
    throw new ReviewError(`the draft of issue #${issue} was already ${file.current.state}`, 'gone');
  }
  return { file, sentBefore };
}

export type ApproveOutcome = {
  draft: Draft;
  /** What changed since it was composed (it was recomposed first); empty when nothing did. */
  changes: string[];
  /** The send time has passed: the host sends it at once. */
  late: boolean;
};

/**
 * Approves the next issue's draft. Its sources are read again first: when its links changed (added, left
 * out, edited), the draft is recomposed (the note kept) and the changes are said. Nothing left to send
 * (every link deleted or made private): the approval is refused and the draft held, so nothing it showed goes out.
 */
export async function approveDraft(deps: ReviewDeps, target: Target): Promise<ApproveOutcome> {
  return exclusively(deps.store, 'compose', async () => {
    const { file, sentBefore } = await targetDraft(deps, target);
    const now = deps.now();
    let draft = file.current;
    const next = await composeNextIssue(deps.compose, now, firstWindow(file, sentBefore));
    if (next.kind === 'resume') throw new ReviewError(`issue #${next.record.issue} is already going out`);
    let changes: string[] = [];
    if (next.kind === 'nothing') {
      draft = {
        ...draft,
        state: 'held',
        events: [...draft.events, event('held', now, target.by, `nothing left to send: ${next.reason}`)],
      };
      await saveDraft(deps.store, withCurrent(file, draft));
      throw new ReviewError(`nothing left to send in the draft of issue #${draft.issue} (${next.reason}): it is held`);
    }
    if (fingerprintOf(next.record) !== draft.fingerprint) {
      changes = describeChanges(draft.record, next.record);
      const { record, htmlBytes } = withNote(next.record, draft.record.model.editorNote, deps);
      const readers = await forecastFor(deps, record, new Date(draft.sendAt));
      const facts = preflightFacts(next.report, record, readers, next.warnings, deps.compose.options.maxHtmlBytes);
      draft = {
        ...draft,
        record,
        fingerprint: fingerprintOf(next.record),
        // The size with the note kept, as it will be sent.
        preflight: { ...facts, htmlBytes },
        events: [...draft.events, event('recomposed', now, target.by, changes.join('; ') || 'links reordered')],
      };
    }
    draft = { ...draft, state: 'approved', events: [...draft.events, event('approved', now, target.by)] };
    await saveDraft(deps.store, withCurrent(file, draft));
    return { draft, changes, late: Date.parse(draft.sendAt) <= now.getTime() };
  });
}

/** Holds the next issue's draft: at the deadline nothing is sent and its links go into the next draft. */
export async function holdDraft(deps: ReviewDeps, target: Target): Promise<Draft> {
  return exclusively(deps.store, 'compose', async () => {
    const { file } = await targetDraft(deps, target);
    const draft: Draft = {
      ...file.current,
      state: 'held',
      events: [...file.current.events, event('held', deps.now(), target.by)],
    };
    await saveDraft(deps.store, withCurrent(file, draft));
    return draft;
  });
}

/** The record with `note` as its note of the day, rendered again, and its size; over the size budget: refused. */
function withNote(
  record: IssueRecord,
  note: string | undefined,
  deps: ReviewDeps,
): { record: IssueRecord; htmlBytes: number } {
  const { editorNote: _, ...rest } = record.model;
  const model = note ? { ...rest, editorNote: note } : rest;
  const rendered = deps.compose.render(model, record.placeholder);
  const bytes = personalizedHtmlBytes(rendered.html, record.placeholder, deps.compose.sampleUnsubscribeUrl);
  const budget = deps.compose.options.maxHtmlBytes;
  if (bytes > budget) {
    throw new ReviewError(
      `with this note issue #${record.issue} would be ${bytes.toLocaleString('en')} bytes of HTML, over the ${budget.toLocaleString('en')}-byte budget (select.maxHtmlBytes): shorten the note by about ${(bytes - budget).toLocaleString('en')} bytes`,
    );
  }
  return {
    record: { ...record, model: { ...model, subject: rendered.subject, preheader: rendered.preheader }, rendered },
    htmlBytes: bytes,
  };
}

/**
 * Sets (or, with an empty text, removes) the note of the day of the next issue's draft, renders the draft
 * again with it and mails a fresh preflight. The text is checked first (core/note.ts).
 */
export async function noteDraft(deps: ReviewDeps, target: Target, text: string): Promise<Draft> {
  const note = text.trim() === '' ? undefined : normalizeNote(text);
  return exclusively(deps.store, 'compose', async () => {
    const { file } = await targetDraft(deps, target);
    const now = deps.now();
    const { record, htmlBytes } = withNote(file.current.record, note, deps);
    const draft: Draft = {
      ...file.current,
      record,
      preflight: { ...file.current.preflight, htmlBytes },
      events: [...file.current.events, event('note', now, target.by, note ? `${note.length} characters` : 'removed')],
    };
    const stored = withCurrent(file, draft);
    await saveDraft(deps.store, stored);
    await sendPreflight(stored, deps, target.by);
    return draft;
  });
}

// ---- the deadline --------------------------------------------------------------------------------------

/** Records that the deadline passed without sending the draft, and why (once per reason). */
export async function recordMissed(store: Store, file: DraftFile, reason: string, now: Date): Promise<void> {
  const last = file.current.events[file.current.events.length - 1];
  if (last?.action === 'missed' && last.detail === reason) return;
  await saveDraft(
    store,
    withCurrent(file, { ...file.current, events: [...file.current.events, event('missed', now, 'schedule', reason)] }),
  );
}

/** Marks the draft sent: it is issue N now (called once the issue is stored). */
export async function recordSent(store: Store, file: DraftFile, now: Date): Promise<void> {
  await saveDraft(
    store,
    withCurrent(file, {
      ...file.current,
      state: 'sent',
      events: [...file.current.events, event('sent', now, 'schedule')],
    }),
  );
}

// ---- the deadline's last look -------------------------------------------------------------------------------

export type AtDeadline = { kind: 'send'; record: IssueRecord; dropped: string[] } | { kind: 'nothing'; reason: string };

/**
 * The draft as it goes out at its deadline: its sources read once more (read-only), every link that is no
 * longer eligible (deleted, made private, tagged out) left out, so nothing the author made private since the
 * draft ever reaches a reader; nothing added (what came in since goes into the next issue). Dated at the
 * send, as readers get it. Nothing left: nothing is sent. A source that cannot be read now: the draft goes as
 * the author saw it, with a warning.
 */
export async function draftAtDeadline(
  deps: { compose: ComposeNextDeps; now: () => Date; log?: (line: string) => void },
  draft: Draft,
): Promise<AtDeadline> {
  const now = deps.now();
  const record = draft.record;
  let eligible: Set<string> | undefined;
  try {
    const next = await composeNextIssue({ ...deps.compose, readOnly: true }, now, record.model.window.from);
    if (next.kind === 'nothing')
      return { kind: 'nothing', reason: `nothing left to send in the draft (${next.reason})` };
    if (next.kind === 'issue') {
      eligible = new Set([
        ...next.record.model.sections.flatMap((s) => s.bookmarks.map((b) => b.url)),
        ...(next.report.carriedLinks ?? []).map((c) => c.url),
      ]);
    }
  } catch (error) {
    deps.log?.(
      `review: the sources could not be read again at the deadline (${(error as Error).message}); the draft goes as approved`,
    );
  }
  const dropped = eligible
    ? record.model.sections.flatMap((s) => s.bookmarks.filter((b) => !eligible.has(b.url)).map((b) => b.title))
    : [];
  const sections = record.model.sections
    .map((s) => ({ ...s, bookmarks: s.bookmarks.filter((b) => !eligible || eligible.has(b.url)) }))
    .filter((s) => s.bookmarks.length > 0);
  const bookmarkCount = sections.reduce((n, s) => n + s.bookmarks.length, 0);
  if (bookmarkCount === 0) return { kind: 'nothing', reason: 'every link of the draft was deleted or made private' };
  const gone = new Set(
    record.model.sections.flatMap((s) =>
      s.bookmarks.filter((b) => eligible && !eligible.has(b.url)).map((b) => normalizeUrl(b.url)),
    ),
  );
  const model = { ...record.model, sections, bookmarkCount, window: { ...record.model.window, to: now.toISOString() } };
  const rendered = deps.compose.render(model, record.placeholder);
  return {
    kind: 'send',
    dropped,
    record: {
      ...record,
      model: { ...model, subject: rendered.subject, preheader: rendered.preheader },
      rendered,
      links: record.links.filter((l) => !gone.has(l)),
      composedAt: now.toISOString(),
    },
  };
}
