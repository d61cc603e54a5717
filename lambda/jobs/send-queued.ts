/**
 * The consumer side of the send queue as the Lambda sees it: a handful of queue records, each a send batch.
 * Reports which records must come back (partial batch failure), and holds work back while the SES 24-hour
 * quota is used up instead of failing it into the dead-letter queue.
 */
import { parseSendBatch } from '../core/batches';
import type { SendBatch, SendQueue } from '../ports/queue';
import { finishIssue } from './finish-issue';
import { type BatchResult, type SendBatchDeps, sendBatch } from './send-batch';

export interface QueuedRecord {
  /** The queue's id for the record (SQS messageId): what a partial batch failure names. */
  id: string;
  body: string;
}

export interface Quota {
  /** Messages still allowed in the rolling 24 hours. */
  remaining: number;
  /** Share of the 24-hour quota used, 0..1. */
  usedRatio: number;
}

export interface SendQueuedDeps extends Omit<SendBatchDeps, 'store'> {
  store: SendBatchDeps['store'] & Parameters<typeof finishIssue>[1]['store'];
  queue: SendQueue;
  /** The account's 24-hour quota now, if known (SES GetSendQuota). */
  quota?: () => Promise<Quota | undefined>;
  /** How long held-back batches wait before they are tried again (SQS allows at most 900 s). */
  deferSeconds?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface SendQueuedResult {
  /** Records to hand back to the queue: they come again after the visibility timeout. */
  failedIds: string[];
  /** Poisoned records (not a send batch): failed, so the queue moves them to the DLQ after its receives. */
  poisoned: number;
  /** Recipients put back on the queue with a delay because the daily quota is used up. */
  deferred: number;
  results: BatchResult[];
  quota?: Quota;
  /** Issues this call found delivered to every active subscriber, and marked sent. */
  finished: number[];
}

/**
 * 1. Read each record as a send batch; one that is not is poisoned: only it fails.
 * 2. Before sending, read the quota: a batch larger than what is left is held back whole.
 * 3. Send each batch (send-batch). Recipients left unsent because the daily quota ran out mid-batch, or
 *    held back in step 2, are put back on the queue as a new, delayed batch, and the record counts as done
 *    (its receive count does not creep toward the DLQ while the quota refills). Other unsent recipients
 *    fail the record: it comes back, and the ledger makes the repeat send nothing twice.
 * 4. The queue empty but for these records: if every active subscriber has the issue, mark it sent.
 */
export async function sendQueued(records: QueuedRecord[], deps: SendQueuedDeps): Promise<SendQueuedResult> {
  const result: SendQueuedResult = { failedIds: [], poisoned: 0, deferred: 0, results: [], finished: [] };
  const deferSeconds = deps.deferSeconds ?? 900;
  let quotaOut = false;
  const quota = await deps.quota?.();
  result.quota = quota;
  let remaining = quota?.remaining ?? Number.POSITIVE_INFINITY;

  const defer = async (record: QueuedRecord, batch: SendBatch) => {
    try {
      await deps.queue.enqueue([batch], { delaySeconds: deferSeconds });
      result.deferred += batch.subscriberIds.length;
    } catch (error) {
      deps.log?.(`could not hold back issue #${batch.issue}: ${(error as Error).message}`);
      result.failedIds.push(record.id);
    }
  };

  for (const record of records) {
    let batch: SendBatch;
    try {
      batch = parseSendBatch(record.body);
    } catch (error) {
      result.poisoned++;
      result.failedIds.push(record.id);
      deps.log?.(`poisoned queue record: ${(error as Error).message}`, { recordId: record.id });
      continue;
    }
    if (deps.signal?.aborted) {
      result.failedIds.push(record.id);
      continue;
    }
    if (quotaOut || batch.subscriberIds.length > remaining) {
      quotaOut = true;
      await defer(record, batch);
      continue;
    }
    const sent = await sendBatch(batch, deps);
    result.results.push(sent);
    remaining -= sent.counts.sent + sent.counts.refused;
    if (sent.unsent.length === 0) continue;
    if (sent.quotaExhausted) {
      quotaOut = true;
      await defer(record, { issue: batch.issue, subscriberIds: sent.unsent });
    } else {
      result.failedIds.push(record.id);
    }
  }
  // The last batch out (nothing queued but this call's own records, which the queue still counts in flight):
  // see whether every active subscriber has the issue now. Batches finishing at once elsewhere may each see
  // the other's records; then the next scheduled compose-issue finishes the issue instead.
  if (!quotaOut && (await deps.queue.pending()) <= records.length) {
    const candidates = new Set([...result.results.map((r) => r.issue), ...(deps.issues?.keys() ?? [])]);
    for (const issue of candidates) {
      if (deps.issues?.get(issue)?.status === 'sent') continue;
      const finished = await finishIssue({ issue }, { store: deps.store, now: deps.now });
      if (!finished.finished) continue;
      result.finished.push(issue);
      const cached = deps.issues?.get(issue);
      if (cached) deps.issues?.set(issue, { ...cached, status: 'sent' });
    }
  }
  if (quotaOut) {
    deps.log?.(
      `the SES 24-hour quota is used up: ${result.deferred} recipients wait on the queue and are tried again in ${deferSeconds} s`,
    );
  }
  return result;
}
