/**
 * What went out and what came of it, for `issues list` and `issues show`: per issue its ledger counts, and the
 * readers who left after it. The store keeps no per-issue record of a bounce or an unsubscribe: SES events and
 * unsubscribe links change the subscriber's status and `updatedAt` (jobs/record-ses-events.ts,
 * jobs/subscription.ts). So each such change is counted once, against the last issue the ledger says that
 * reader was sent before the change ("after this issue, before they received another").
 */
import type { Delivery, IssueModel, IssueRecord, IssueStatus, OmittedFor, Subscriber } from '../core/model';
import type { DraftFile, DraftState, ReviewEvent } from '../core/review';
import { readMemo } from '../ports/memo';
import { ISSUE_VARIANT, REVIEW_DRAFTS } from '../ports/memo-kinds';
import type { IssueSummary, Store } from '../ports/store';
import { eachSubscriber } from './subscriber-pages';

/** The author's review of an issue (config `review`): where its draft stands and every action, timed. */
export interface IssueReview {
  state: DraftState;
  /** The scheduled send the draft was made for. */
  sendAt: string;
  note?: string;
  /** Every action on its drafts, oldest first (a replaced draft's too). */
  events: ReviewEvent[];
}

export interface IssueFigures {
  issue: number;
  /** `draft`: the next issue, composed for review and not yet an issue (its review says approved, held…). */
  status: IssueStatus | 'draft';
  subject: string;
  links: number;
  composedAt: string;
  sentAt?: string;
  /** Ledger: messages the transport accepted. */
  sent: number;
  /** Ledger: messages the transport refused for good (e.g. SES MessageRejected). */
  refused: number;
  /** Ledger: claimed but not finished (a send in progress, or one that stopped). */
  unfinished: number;
  /** Ledger: readers who got nothing of it by their own choice (paused, none of their sections in it). */
  omitted: number;
  /** Readers sent this issue whose address SES later reported bouncing, before they were sent another. */
  bounced: number;
  /** The same for spam complaints. */
  complained: number;
  /** Readers sent this issue who unsubscribed (link, reply or `subscribers remove`) before they were sent another. */
  unsubscribed: number;
  /** With review: the draft's state and the actions on it. */
  review?: IssueReview;
}

function reviewOf(file: DraftFile | undefined): IssueReview | undefined {
  if (!file) return undefined;
  const c = file.current;
  const events = [...file.earlier.flatMap((d) => d.events), ...c.events].sort((a, b) => a.at.localeCompare(b.at));
  return {
    state: c.state,
    sendAt: c.sendAt,
    ...(c.record.model.editorNote ? { note: c.record.model.editorNote } : {}),
    events,
  };
}

const reviewAt = async (store: Store, issue: number) => reviewOf(await readMemo(store, REVIEW_DRAFTS, issue));

/** The next issue's draft as a row (no deliveries yet), when one is waiting: a draft, approved or held. */
async function draftRow(
  store: Store,
  issues: IssueSummary[],
): Promise<{ figures: IssueFigures; record: IssueRecord } | undefined> {
  const next = issues.reduce((n, i) => Math.max(n, i.issue + 1), 1);
  const file = await readMemo(store, REVIEW_DRAFTS, next);
  if (!file || file.current.state === 'sent') return undefined;
  const { record } = file.current;
  return {
    record,
    figures: {
      issue: next,
      status: 'draft',
      subject: record.model.subject,
      links: record.model.bookmarkCount,
      composedAt: record.composedAt,
      sent: 0,
      refused: 0,
      unfinished: 0,
      omitted: 0,
      bounced: 0,
      complained: 0,
      unsubscribed: 0,
      ...(reviewOf(file) ? { review: reviewOf(file) } : {}),
    },
  };
}

export type LeftAfter = Pick<IssueFigures, 'bounced' | 'complained' | 'unsubscribed'>;

const LEFT: ReadonlySet<Subscriber['status']> = new Set(['unsubscribed', 'bounced', 'complained']);

type DeliveryLookup = Pick<Store, 'getDelivery'>;

/** The issue a reader's status change follows: the newest one sent to them at or before the change. */
async function issueBefore(
  store: DeliveryLookup,
  subscriber: Subscriber,
  newestFirst: IssueSummary[],
): Promise<number | undefined> {
  for (const issue of newestFirst) {
    if (issue.composedAt > subscriber.updatedAt) continue;
    const d: Delivery | undefined = await store.getDelivery(issue.issue, subscriber.id);
    if (d?.state === 'sent' && d.at <= subscriber.updatedAt) return issue.issue;
  }
  return undefined;
}

/** Readers who left, counted against the issue each had last received: one pass over the subscriber list. */
export async function leftAfterIssues(
  store: Pick<Store, 'listSubscribers' | 'getDelivery'>,
  issues: IssueSummary[],
): Promise<Map<number, LeftAfter>> {
  const left = new Map<number, LeftAfter>();
  const delivered = issues.filter((i) => i.status !== 'composed').sort((a, b) => b.issue - a.issue);
  if (delivered.length === 0) return left;
  for await (const s of eachSubscriber(store, { pageSize: 1000 })) {
    if (!LEFT.has(s.status)) continue;
    const issue = await issueBefore(store, s, delivered);
    if (issue === undefined) continue;
    const counts = left.get(issue) ?? { bounced: 0, complained: 0, unsubscribed: 0 };
    counts[s.status as keyof LeftAfter]++;
    left.set(issue, counts);
  }
  return left;
}

async function figures(store: Store, summary: IssueSummary, left: LeftAfter | undefined): Promise<IssueFigures> {
  const counts = await store.countDeliveries(summary.issue);
  const review = await reviewAt(store, summary.issue);
  return {
    issue: summary.issue,
    status: summary.status,
    subject: summary.subject,
    links: summary.bookmarkCount,
    composedAt: summary.composedAt,
    ...(summary.sentAt ? { sentAt: summary.sentAt } : {}),
    sent: counts.sent,
    refused: counts.refused,
    unfinished: counts.claimed,
    omitted: counts.omitted,
    bounced: left?.bounced ?? 0,
    complained: left?.complained ?? 0,
    unsubscribed: left?.unsubscribed ?? 0,
    ...(review ? { review } : {}),
  };
}

/** Every issue, oldest first, with its figures. */
export async function issueHistory(store: Store): Promise<IssueFigures[]> {
  const issues = await store.listIssues();
  const left = await leftAfterIssues(store, issues);
  const out: IssueFigures[] = [];
  for (const summary of issues) out.push(await figures(store, summary, left.get(summary.issue)));
  const draft = await draftRow(store, issues);
  if (draft) out.push(draft.figures);
  return out;
}

export interface IssueDetail extends IssueFigures {
  window: IssueModel['window'];
  sections: { title: string; links: { title: string; url: string }[] }[];
  /**
   * What its readers got (readers' choices, core/prefs.ts): each rendering sent, most readers first, then
   * those who got nothing by their choice, by why. Empty for a draft.
   */
  shares: { label: string; readers: number }[];
}

const OMITTED_LABEL: Record<OmittedFor, string> = {
  pause: 'paused',
  'round-up': 'monthly, waiting for their round-up',
  sections: 'none of their sections in it',
};

/** The tally of an issue's ledger (ports/store.ts `tallyShares`), each rendering named by what it holds. */
async function sharesOf(store: Store, issue: number): Promise<IssueDetail['shares']> {
  const tally = await store.tallyShares(issue);
  const sent: IssueDetail['shares'] = [];
  for (const [key, readers] of Object.entries(tally.sent)) {
    if (key === 'whole') {
      sent.push({ label: 'the whole issue', readers });
      continue;
    }
    const variant = await readMemo(store, ISSUE_VARIANT, { issue, key });
    const held = variant ? variant.sections.join(', ') : `rendering ${key}`;
    const issues = variant?.roundup?.issues;
    const label = issues ? `a round-up of #${issues[0]}–#${issues[issues.length - 1]} (${held})` : `only ${held}`;
    sent.push({ label, readers });
  }
  sent.sort((a, b) => b.readers - a.readers || a.label.localeCompare(b.label));
  const omitted = (Object.keys(OMITTED_LABEL) as OmittedFor[])
    .filter((why) => tally.omitted[why])
    .map((why) => ({ label: OMITTED_LABEL[why], readers: tally.omitted[why] ?? 0 }));
  return [...sent, ...omitted];
}

/** One issue: its figures and its links by section; undefined when the store has no such issue. */
export async function issueDetail(store: Store, issue: number): Promise<IssueDetail | undefined> {
  const record = await store.getIssue(issue);
  const issues = await store.listIssues();
  if (!record) {
    const draft = await draftRow(store, issues);
    return draft && draft.figures.issue === issue ? detailOf(draft.figures, draft.record, []) : undefined;
  }
  const summary = issues.find((i) => i.issue === issue);
  if (!summary) return undefined;
  const left = await leftAfterIssues(store, issues);
  return detailOf(await figures(store, summary, left.get(issue)), record, await sharesOf(store, issue));
}

function detailOf(figures: IssueFigures, record: IssueRecord, shares: IssueDetail['shares']): IssueDetail {
  return {
    ...figures,
    shares,
    window: record.model.window,
    sections: record.model.sections.map((s) => ({
      title: s.title,
      links: s.bookmarks.map((b) => ({ title: b.title, url: b.url })),
    })),
  };
}

/** The number of the newest issue that went out to everyone, if any (the sign-up page links to it). */
export async function latestSentIssue(store: Pick<Store, 'history'>): Promise<number | undefined> {
  return (await store.history()).lastSent?.issue;
}
