/** Cuts a stored issue's recipients into send batches on the queue, resumably and never twice. */
import { toBatches } from '../core/batches';
import { type IssueRecord, isFinalDelivery } from '../core/model';
import { readMemo, writeMemo } from '../ports/memo';
import { ENQUEUE_PROGRESS, type EnqueueProgress } from '../ports/memo-kinds';
import type { SendQueue } from '../ports/queue';
import type { IssueStore, Ledger, Memos, SubscriberStore } from '../ports/store';
import { issueSharer, type ShareDeps } from './reader-shares';
import { subscriberPages } from './subscriber-pages';

export interface EnqueueDeps {
  store: Pick<SubscriberStore, 'listSubscribers'> &
    Pick<IssueStore, 'getIssue'> &
    Pick<Ledger, 'getDeliveries'> &
    Memos;
  queue: SendQueue;
  /** Subscriber ids per queue message. */
  recipientsPerMessage: number;
  pageSize?: number;
  log?: (line: string) => void;
  /** Told how many of a page the ledger already shows done (a resumed issue). */
  onAlreadyDone?: (count: number) => void;
  /**
   * Readers' choices (core/prefs.ts): what each reader gets is fixed here, as they are enqueued; a variant or
   * a round-up is rendered the first time a reader needs it and stored for every send of the issue
   * (jobs/reader-shares.ts).
   */
  shares?: ShareDeps;
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
  record: Pick<IssueRecord, 'issue'> & Partial<Pick<IssueRecord, 'model' | 'placeholder' | 'composedAt'>>,
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
  if (options.again) {
    const { held } = progress;
    progress = { recipients: 0, batches: 0, done: false, round: progress.round + 1, ...(held ? { held } : {}) };
  }
  const checkLedger = options.resumed || options.again || progress.round > 0;
  const summary: EnqueueSummary = { recipients: 0, batches: 0, alreadyDone: 0, alreadyEnqueued: false };
  const pages = subscriberPages(deps.store, { status: 'active', pageSize: deps.pageSize, cursor: progress.cursor });
  const { model, placeholder, composedAt } = record;
  const shareOf =
    deps.shares && model && placeholder !== undefined
      ? await issueSharer({ issue: record.issue, model, placeholder, composedAt }, deps.store, deps.shares)
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
    let held = 0;
    if (shareOf) {
      const byId = new Map(readers.map((s) => [s.id, s]));
      for (const batch of batches) held += (await shareOf(batch, byId)).held;
    }
    if (batches.length > 0) await deps.queue.enqueue(batches);
    summary.recipients += ids.length;
    summary.batches += batches.length;
    progress = {
      ...progress,
      cursor: page.cursor,
      recipients: progress.recipients + ids.length,
      batches: progress.batches + batches.length,
      ...(held || progress.held ? { held: (progress.held ?? 0) + held } : {}),
    };
    await writeMemo(deps.store, ENQUEUE_PROGRESS, record.issue, progress);
  }
  await writeMemo(deps.store, ENQUEUE_PROGRESS, record.issue, { ...progress, cursor: undefined, done: true });
  deps.log?.(
    `issue #${record.issue}: ${summary.recipients} recipients in ${summary.batches} batches on ${deps.queue.description}`,
  );
  return summary;
}
