/**
 * Delivery in one process (the CLI host): the queue pipeline the functions run on AWS, with the in-process
 * queue. Recipients are enqueued in batches (enqueue-issue) and drained through send-batch while they are
 * enqueued (the queue is bounded, so memory stays flat), then the issue is checked off (finish-issue).
 */

import { InProcessQueue } from '../adapters/in-process-queue';
import { RECIPIENTS_PER_MESSAGE } from '../core/fleet';
import type { IssueRecord } from '../core/model';
import type { RetryPolicy } from '../core/retry';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';
import type { MessageContext } from '../render/message';
import { enqueueIssue } from './enqueue-issue';
import { finishIssue } from './finish-issue';
import { type RecipientOutcome, sendBatch } from './send-batch';
import { sizeForRate } from './worker-pool';

export interface DeliveryProgress {
  total: number;
  done: number;
  sent: number;
  refused: number;
  /** Already sent or refused (a resumed issue), or no longer active when their turn came. */
  skipped: number;
  /** Claimed by another run that may still be sending them: the issue is not finished yet. */
  busy: number;
  failed: number;
  retried: number;
}

export interface DeliverySummary extends DeliveryProgress {
  issue: number;
  /** `sent`: every active subscriber has it or refused it; otherwise a rerun resumes. */
  status: 'sent' | 'incomplete' | 'stopped';
  /** Why the run stopped early (account paused, outbox unwritable). */
  stoppedBy?: string;
  /** First few failure messages, for the summary. */
  errors: string[];
  durationMs: number;
}

export interface DeliverDeps {
  store: Store;
  mailer: Mailer;
  message: MessageContext;
  now: () => Date;
  /** The most messages in flight at once; also the most a crash can duplicate. */
  concurrency: number;
  /** The paced rate (messages/s), if any: then only as many are in flight as keep that pace. */
  rate?: number;
  pageSize?: number;
  retry?: RetryPolicy;
  /** Waits for a send slot (rate pacing); resolves at once when unpaced. */
  acquire?: () => Promise<void>;
  /** Returns the slot of a send that was not accepted. */
  refund?: () => void;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: DeliveryProgress) => void;
  /** Aborted (Ctrl-C, a Lambda near its timeout): no new sends start; those in flight finish and are recorded. */
  signal?: AbortSignal;
}

const MAX_ERRORS_KEPT = 5;

/** Active subscribers, page by page: memory stays flat however long the list. */
export async function* activeSubscribers(store: Pick<Store, 'listSubscribers'>, pageSize: number) {
  let cursor: string | undefined;
  do {
    const page = await store.listSubscribers({ status: 'active', cursor, limit: pageSize });
    cursor = page.cursor;
    yield* page.items;
  } while (cursor);
}

export async function countActiveSubscribers(store: Pick<Store, 'listSubscribers'>, pageSize = 1000): Promise<number> {
  let total = 0;
  for await (const _ of activeSubscribers(store, pageSize)) total++;
  return total;
}

/** What draining a queue through send-batch adds up to. */
export interface DrainResult {
  stoppedBy?: string;
  errors: string[];
}

/**
 * The consumer: hands each batch of `queue` to send-batch, one batch at a time, the pool (sized to the rate)
 * shared by all so it keeps what it learnt of latency; counts every recipient's outcome into `progress`.
 * Stops at a fatal error or `signal`; closing the queue then releases its producer.
 */
export async function drainQueue(
  queue: InProcessQueue,
  deps: DeliverDeps,
  progress: DeliveryProgress,
): Promise<DrainResult> {
  const pool = sizeForRate(deps.concurrency, deps.rate);
  const issues = new Map<number, IssueRecord>();
  const errors: string[] = [];
  let stoppedBy: string | undefined;
  const count: Record<RecipientOutcome, keyof DeliveryProgress> = {
    sent: 'sent',
    refused: 'refused',
    skipped: 'skipped',
    inactive: 'skipped',
    busy: 'busy',
    failed: 'failed',
  };
  const stop = () => {
    if (deps.signal?.aborted) stoppedBy ??= 'interrupted';
    return stoppedBy !== undefined;
  };
  try {
    await queue.drain(async (batch) => {
      const result = await sendBatch(batch, {
        ...deps,
        pool,
        issues,
        onOutcome: (o) => {
          progress[count[o]]++;
          progress.done++;
          deps.onProgress?.({ ...progress });
        },
        onRetry: () => {
          progress.retried++;
        },
      });
      for (const e of result.errors) if (errors.length < MAX_ERRORS_KEPT) errors.push(e);
      stoppedBy ??= result.stoppedBy;
    }, stop);
  } finally {
    // A stopped consumer: whatever is still being enqueued has nowhere to go (a rerun resumes it).
    queue.close();
  }
  return { stoppedBy, errors };
}

/** Recipients the ledger shows done before their batch was even made: skipped, and done. */
export function countSkipped(progress: DeliveryProgress, n: number, onProgress?: (p: DeliveryProgress) => void) {
  progress.skipped += n;
  progress.done += n;
  onProgress?.({ ...progress });
}

export function emptyProgress(total = 0): DeliveryProgress {
  return { total, done: 0, sent: 0, refused: 0, skipped: 0, busy: 0, failed: 0, retried: 0 };
}

/**
 * Inputs: a stored issue record, the store, a mailer, message context. Output: a summary.
 * 1. Move the issue `composed → sending` (the caller holds the send lock; claims are conditional anyway).
 * 2. Enqueue every active subscriber in batches on a bounded in-process queue (those the ledger shows done
 *    are left out when the issue is resumed) while draining it through send-batch: claim → build MIME →
 *    wait for a rate slot → send (transient errors retried) → record `sent` or `refused`.
 * 3. A fatal error or `signal` stops new sends; messages in flight finish and are recorded; a claim whose
 *    send failed is released so a rerun sends it.
 * 4. Only when every active subscriber is `sent` or `refused`: the issue moves `sending → sent`, which
 *    advances the watermark and the sent-link set (both are read from sent issues).
 */
export async function deliverIssue(record: IssueRecord, deps: DeliverDeps): Promise<DeliverySummary> {
  const started = Date.now();
  const resumed = record.status !== 'composed';
  await deps.store.advanceIssue(record.issue, 'composed', 'sending', deps.now().toISOString());
  const progress = emptyProgress(await countActiveSubscribers(deps.store, deps.pageSize ?? 500));
  deps.onProgress?.({ ...progress });

  const queue = new InProcessQueue();
  const producing = enqueueIssue(
    record,
    {
      store: deps.store,
      queue,
      recipientsPerMessage: RECIPIENTS_PER_MESSAGE,
      pageSize: deps.pageSize,
      onAlreadyDone: (n) => countSkipped(progress, n, deps.onProgress),
    },
    { resumed, again: true },
  ).finally(() => queue.close());
  const drained = await drainQueue(queue, deps, progress);
  await producing.catch((error: unknown) => {
    // The producer only fails on its own (a store error) or because a stopped consumer closed the queue.
    if (!drained.stoppedBy) throw error;
  });
  return finishDelivery(record, deps, progress, drained, started);
}

/** Step 4 and the summary: shared by deliverIssue and the CLI's `send`. */
export async function finishDelivery(
  record: Pick<IssueRecord, 'issue'>,
  deps: Pick<DeliverDeps, 'store' | 'now' | 'pageSize'>,
  progress: DeliveryProgress,
  drained: DrainResult,
  started: number,
): Promise<DeliverySummary> {
  let status: DeliverySummary['status'] = drained.stoppedBy ? 'stopped' : 'incomplete';
  if (!drained.stoppedBy && progress.failed === 0 && progress.busy === 0) {
    const finished = await finishIssue(record, { store: deps.store, now: deps.now, pageSize: deps.pageSize });
    if (finished.finished) status = 'sent';
  }
  return {
    ...progress,
    issue: record.issue,
    status,
    stoppedBy: drained.stoppedBy,
    errors: drained.errors,
    durationMs: Date.now() - started,
  };
}
