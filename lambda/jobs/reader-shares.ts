/**
 * What each reader of an issue gets, fixed as they are enqueued (jobs/enqueue-issue.ts): the whole issue, a
 * variant of their sections, a round-up of the issues they have waiting, or nothing this time (core/prefs.ts
 * decides; core/roundup.ts makes a round-up). Each distinct rendering is made once, the first time a reader
 * needs it, and stored (`variant:<issue>:<key>`) for every send of the issue.
 */
import type { SendBatch } from '../core/batches';
import { personalizedHtmlBytes, type RenderIssue } from '../core/compose';
import { RenderError } from '../core/errors';
import type { IssueModel, IssueRecord, Subscriber } from '../core/model';
import { forecastLabel, isPaused, type ReaderShare, readerShare, variantModel } from '../core/prefs';
import { fitRoundup, lookback, opensMonth } from '../core/roundup';
import { readMemo, writeMemo } from '../ports/memo';
import { ENQUEUE_PROGRESS, ISSUE_VARIANT, type IssueVariant } from '../ports/memo-kinds';
import type { IssueStore, Ledger, Memos, SubscriberStore } from '../ports/store';
import { eachSubscriber } from './subscriber-pages';

/** How far back a round-up looks for a reader's waiting issues: a year of weekly issues, and then some. */
export const MAX_LOOKBACK = 60;

export interface ShareDeps {
  render: RenderIssue;
  now: () => Date;
  /** The sections a reader may choose (core/prefs.ts `offeredSections`). */
  offered: readonly string[];
  /** The author's time zone: a round-up goes with the first issue of each month in it. */
  timeZone: string;
  /** What a round-up must fit in, as compose measures an issue (core/compose.ts `personalizedHtmlBytes`). */
  budget: { maxHtmlBytes: number; sampleUnsubscribeUrl: string };
}

type ShareStore = Pick<IssueStore, 'getIssue'> & Pick<Ledger, 'getDeliveries'> & Memos;

/** A batch's shares: what `sharesOf` notes on it, and how many of its readers wait for a later round-up. */
export type BatchSharer = (batch: SendBatch, readers: ReadonlyMap<string, Subscriber>) => Promise<{ held: number }>;

/**
 * The sharer of one issue's batches. It reads, once: the issue before (does this one open a month? did it hold
 * anyone back?); then for each batch, the ledger of earlier issues for the readers who may have some waiting.
 */
export async function issueSharer(
  record: Pick<IssueRecord, 'issue' | 'model' | 'placeholder'> & Partial<Pick<IssueRecord, 'composedAt'>>,
  store: ShareStore,
  deps: ShareDeps,
): Promise<BatchSharer> {
  const titles = record.model.sections.map((s) => s.title);
  const earlier = new Map<number, IssueRecord | undefined>();
  const issueAt = async (n: number) => {
    if (!earlier.has(n)) earlier.set(n, await store.getIssue(n));
    return earlier.get(n);
  };
  const previous = record.issue > 1 ? await issueAt(record.issue - 1) : undefined;
  const at = record.composedAt ?? deps.now().toISOString();
  const opens = opensMonth(at, previous?.composedAt, deps.timeZone);
  // Nobody was held back by the issue before: nobody who takes every issue has anything waiting.
  const heldBefore = previous ? ((await readMemo(store, ENQUEUE_PROGRESS, previous.issue))?.held ?? 0) > 0 : false;

  /** Each reader's issues waiting for their round-up, oldest first: the ledger walked back to their last message. */
  const waitingOf = async (readers: Subscriber[], now: Date) => {
    const waiting = new Map<string, number[]>();
    const paused = (r: Subscriber) => isPaused(r.prefs, now);
    const monthly = (r: Subscriber) => r.prefs?.frequency === 'monthly';
    let open = readers.filter((r) => !paused(r) && (monthly(r) ? opens : heldBefore));
    for (let n = record.issue - 1; n >= 1 && n >= record.issue - MAX_LOOKBACK && open.length > 0; n--) {
      const past = await issueAt(n);
      if (!past) break;
      // Not yet subscribed when it went: nothing from it or before is theirs.
      open = open.filter((r) => Date.parse(r.createdAt) <= Date.parse(past.composedAt));
      if (open.length === 0) break;
      const entries = await store.getDeliveries(
        n,
        open.map((r) => r.id),
      );
      open = open.filter((r) => {
        const step = lookback(entries.get(r.id), monthly(r));
        if (step === 'waits') waiting.set(r.id, [n, ...(waiting.get(r.id) ?? [])]);
        return step !== 'stop';
      });
    }
    return waiting;
  };

  const stored = new Set<string>();
  const ensure = async (share: Extract<ReaderShare, { kind: 'variant' | 'roundup' }>) => {
    if (stored.has(share.variant)) return;
    const id = { issue: record.issue, key: share.variant };
    if (!(await readMemo(store, ISSUE_VARIANT, id))) await writeMemo(store, ISSUE_VARIANT, id, await make(share));
    stored.add(share.variant);
  };
  const make = async (share: Extract<ReaderShare, { kind: 'variant' | 'roundup' }>): Promise<IssueVariant> => {
    if (share.kind === 'variant') {
      const model = variantModel(record.model, share.sections);
      const rendered = deps.render(model, record.placeholder);
      return { rendered, sections: share.sections, bookmarkCount: model.bookmarkCount };
    }
    const models: IssueModel[] = [record.model];
    for (const n of share.issues.slice(0, -1).reverse()) {
      const past = await issueAt(n);
      if (past) models.push(past.model);
    }
    const fit = fitRoundup(
      models,
      share.sections,
      (model) => deps.render(model, record.placeholder),
      (rendered) => personalizedHtmlBytes(rendered.html, record.placeholder, deps.budget.sampleUnsubscribeUrl),
      deps.budget.maxHtmlBytes,
    );
    if (!fit?.model.roundup) {
      throw new RenderError(
        `the round-up of issues ${share.issues.map((n) => `#${n}`).join(', ')} does not fit maxHtmlBytes (${deps.budget.maxHtmlBytes} bytes) with even one link`,
      );
    }
    return {
      rendered: fit.rendered,
      sections: fit.model.sections.map((s) => s.title),
      bookmarkCount: fit.model.bookmarkCount,
      roundup: fit.model.roundup,
    };
  };

  return async (batch, readers) => {
    const now = deps.now();
    const inBatch = batch.subscriberIds.map((id) => readers.get(id)).filter((r): r is Subscriber => r !== undefined);
    const waiting = await waitingOf(inBatch, now);
    const sectionsOf = (n: number) => earlier.get(n)?.model.sections.map((s) => s.title) ?? [];
    const noted: NonNullable<SendBatch['shares']> = {};
    let held = 0;
    for (const reader of inBatch) {
      const share = readerShare(reader.prefs, titles, deps.offered, now, {
        opensMonth: opens,
        issue: record.issue,
        waiting: waiting.get(reader.id) ?? [],
        sectionsOf,
      });
      if (share.kind === 'omitted') {
        noted[reader.id] = { omitted: share.why, for: share.for };
        if (share.for !== 'sections') held++;
      } else if (share.kind !== 'whole') {
        await ensure(share);
        noted[reader.id] = { variant: share.variant };
      }
    }
    if (Object.keys(noted).length > 0) batch.shares = noted;
    return { held };
  };
}

/**
 * Before an issue goes (the author's preflight): how many active readers will get what, from their choices,
 * most first. `at`: when it is to go (the month it opens, the pauses still running then).
 */
export async function forecastShares(
  store: Pick<IssueStore, 'getIssue'> & Pick<SubscriberStore, 'listSubscribers'>,
  model: Pick<IssueModel, 'issue' | 'sections'>,
  at: Date,
  deps: Pick<ShareDeps, 'offered' | 'timeZone'>,
): Promise<{ readers: number; shares: { label: string; readers: number }[] }> {
  const previous = model.issue > 1 ? await store.getIssue(model.issue - 1) : undefined;
  const opens = opensMonth(at.toISOString(), previous?.composedAt, deps.timeZone);
  const titles = model.sections.map((s) => s.title);
  const counts = new Map<string, number>();
  let readers = 0;
  for await (const reader of eachSubscriber(store, { status: 'active', pageSize: 1000 })) {
    readers++;
    const label = forecastLabel(reader.prefs, titles, deps.offered, at, opens);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const shares = [...counts].map(([label, n]) => ({ label, readers: n }));
  shares.sort((a, b) => b.readers - a.readers || a.label.localeCompare(b.label));
  return { readers, shares };
}
