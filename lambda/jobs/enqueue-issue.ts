/** Cuts a stored issue's recipients into send batches on the queue, resumably and never twice. */
import { type SendBatch, toBatches } from '../core/batches';
import type { RenderIssue } from '../core/compose';
import { type IssueRecord, isFinalDelivery, type Subscriber } from '../core/model';
import { readerShare, variantModel } from '../core/prefs';
import { readMemo, writeMemo } from '../ports/memo';
import { ENQUEUE_PROGRESS, type EnqueueProgress, ISSUE_VARIANT } from '../ports/memo-kinds';
import type { SendQueue } from '../ports/queue';
import type { Ledger, Memos, SubscriberStore } from '../ports/store';
import { subscriberPages } from './subscriber-pages';

export interface EnqueueDeps {
  store: Pick<SubscriberStore, 'listSubscribers'> & Pick<Ledger, 'getDeliveries'> & Memos;
  queue: SendQueue;
  /** Subscriber ids per queue message. */
  recipientsPerMessage: number;
  pageSize?: number;
  log?: (line: string) => void;
  /** Told how many of a page the ledger already shows done (a resumed issue). */
  onAlreadyDone?: (count: number) => void;
  /**
   * Readers' choices (core/prefs.ts): what each reader gets is fixed here, as they are enqueued; a variant is
   * rendered with `render` the first time a reader needs it and stored for every send of the issue.
   */
  shares?: { render: RenderIssue; now: () => Date; offered: readonly string[] };
}

export interface EnqueueSummary {
  /** Recipients put on the queue by this call. */
  recipients: number;
  batches: number;
  /** Already `sent` or `refused` (a resumed issue): not enqueued again. */
  alreadyDone: number;
  /** The issue was enqueued completely before: this call enqueued nothing. */
  alreadyEnqueued: boolean;
}

/** The progress memo of an issue; a value that is no progress is refused, naming its key. */
export function readEnqueueProgress(
  store: Pick<Memos, 'getMemo'>,
  issue: number,
): Promise<EnqueueProgress | undefined> {
  return readMemo(store, ENQUEUE_PROGRESS, issue);
}

/**
 * Inputs: a stored issue, the store, the queue. Output: what was enqueued.
 * 1. Read the progress memo: an issue enqueued to the end before is not enqueued again (a duplicated or
 *    retried compose-issue invocation adds nothing), unless `again` asks for the recipients still missing.
 * 2. Page through active subscribers from the saved cursor; leave out those the ledger says are done
 *    (only on a resumed issue: a new one has none); enqueue the page's batches; then save the cursor.
 *    `again` starts over from the first subscriber (recipients still missing after the queue drained, or a
 *    queue that does not outlive the process, whose earlier batches are gone).
 *    A crash between the two re-enqueues at most that one page, and send-batch's per-recipient claims
 *    make the repeat send nothing twice.
 * 3. Mark the memo done.
 */
export async function enqueueIssue(
  record: Pick<IssueRecord, 'issue'> & Partial<Pick<IssueRecord, 'model' | 'placeholder'>>,
  deps: EnqueueDeps,
  options: { resumed: boolean; again?: boolean },
): Promise<EnqueueSummary> {
  let progress = (await readEnqueueProgress(deps.store, record.issue)) ?? {
    recipients: 0,
    batches: 0,
    done: false,
    round: 0,
  };
  if (progress.done && !options.again) {
    return { recipients: 0, batches: 0, alreadyDone: 0, alreadyEnqueued: true };
  }
  if (options.again) progress = { recipients: 0, batches: 0, done: false, round: progress.round + 1 };
  const checkLedger = options.resumed || options.again || progress.round > 0;
  const summary: EnqueueSummary = { recipients: 0, batches: 0, alreadyDone: 0, alreadyEnqueued: false };
  const pages = subscriberPages(deps.store, { status: 'active', pageSize: deps.pageSize, cursor: progress.cursor });
  const { model, placeholder } = record;
  const shareOf =
    deps.shares && model && placeholder !== undefined
      ? sharer({ issue: record.issue, model, placeholder }, deps.store, deps.shares)
      : undefined;
  for await (const page of pages) {
    let readers = page.items;
    if (checkLedger) {
      const entries = await deps.store.getDeliveries(
        record.issue,
        readers.map((s) => s.id),
      );
      readers = readers.filter((s) => !isFinalDelivery(entries.get(s.id)?.state));
      summary.alreadyDone += page.items.length - readers.length;
      if (page.items.length > readers.length) deps.onAlreadyDone?.(page.items.length - readers.length);
    }
    const ids = readers.map((s) => s.id);
    const batches = toBatches(record.issue, ids, deps.recipientsPerMessage);
    if (shareOf) {
      const byId = new Map(readers.map((s) => [s.id, s]));
      for (const batch of batches) await shareOf(batch, byId);
    }
    if (batches.length > 0) await deps.queue.enqueue(batches);
    summary.recipients += ids.length;
    summary.batches += batches.length;
    progress = {
      ...progress,
      cursor: page.cursor,
      recipients: progress.recipients + ids.length,
      batches: progress.batches + batches.length,
    };
    await writeMemo(deps.store, ENQUEUE_PROGRESS, record.issue, progress);
  }
  await writeMemo(deps.store, ENQUEUE_PROGRESS, record.issue, { ...progress, cursor: undefined, done: true });
  deps.log?.(
    `issue #${record.issue}: ${summary.recipients} recipients in ${summary.batches} batches on ${deps.queue.description}`,
  );
  return summary;
}

/**
 * What each reader of a batch gets, from their choices now: the whole issue (nothing noted), a variant (its
 * rendering stored once, the first time a reader needs it: `variant:<issue>:<key>`), or nothing this time.
 */
function sharer(
  record: Pick<IssueRecord, 'issue' | 'model' | 'placeholder'>,
  store: Memos,
  shares: NonNullable<EnqueueDeps['shares']>,
) {
  const titles = record.model.sections.map((s) => s.title);
  const stored = new Set<string>();
  const ensure = async (key: string, sections: string[]) => {
    if (stored.has(key)) return;
    const id = { issue: record.issue, key };
    if (!(await readMemo(store, ISSUE_VARIANT, id))) {
      const model = variantModel(record.model, sections);
      const rendered = shares.render(model, record.placeholder);
      await writeMemo(store, ISSUE_VARIANT, id, { rendered, sections, bookmarkCount: model.bookmarkCount });
    }
    stored.add(key);
  };
  return async (batch: SendBatch, readers: Map<string, Subscriber>) => {
    const now = shares.now();
    const noted: NonNullable<SendBatch['shares']> = {};
    for (const id of batch.subscriberIds) {
      const share = readerShare(readers.get(id)?.prefs, titles, shares.offered, now);
      if (share.kind === 'omitted') noted[id] = { omitted: share.why };
      else if (share.kind === 'variant') {
        await ensure(share.variant, share.sections);
        noted[id] = { variant: share.variant };
      }
    }
    if (Object.keys(noted).length > 0) batch.shares = noted;
  };
}
