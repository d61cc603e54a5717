/**
 * Consuming an issue: the side of the send queue that delivers. Each queued batch goes through send-batch
 * (claim, send, record); the SES 24-hour quota holds work back instead of failing it; and the one rule that
 * says an issue is done lives here (`settleIssue`). Two hosts, one job:
 *
 * - the send-batch Lambda hands `consumeBatches` the records SQS delivered, and reports the ones that must
 *   come back;
 * - the CLI's `send` hands `drainQueue` its in-process queue while the producer fills it.
 *
 * The producer (produce-issue.ts) is the only place an issue moves to `sending`; this is the only place it
 * moves to `sent`.
 */
import { parseSendBatch } from '../core/batches';
import { type IssueRecord, isFinalDelivery } from '../core/model';
import type { DrainableQueue, SendBatch, SendQueue } from '../ports/queue';
import type { Store } from '../ports/store';
import { type BatchResult, type RecipientOutcome, type SendBatchDeps, sendBatch } from './send-batch';
import { eachSubscriber } from './subscriber-pages';

export interface Quota {
  /** Messages still allowed in the rolling 24 hours. */
  remaining: number;
  /** Share of the 24-hour quota used, 0..1. */
  usedRatio: number;
}

export interface QueuedRecord {
  /** The queue's id for the record (SQS messageId): what a partial batch failure names. */
  id: string;
  body: string;
}

export interface ConsumeDeps extends Omit<SendBatchDeps, 'store'> {
  store: SendBatchDeps['store'] & SettleDeps['store'];
  queue: SendQueue;
  /** The account's 24-hour quota now, if known (SES GetSendQuota). */
  quota?: () => Promise<Quota | undefined>;
  /** How long held-back batches wait on a durable queue before they are tried again (SQS allows ≤ 900 s). */
  deferSeconds?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface ConsumeResult {
  /** Records to hand back to the queue: they come again after the visibility timeout. */
  failedIds: string[];
  /** Poisoned records (not a send batch): failed, so the queue moves them to the DLQ after its receives. */
  poisoned: number;
  /** Recipients put back on the queue with a delay because the daily quota is used up. */
  deferred: number;
  results: BatchResult[];
  quota?: Quota;
  /** Issues found delivered to every active subscriber, and marked sent. */
  finished: number[];
  /** Why sending stopped early (a fatal error, the quota on a queue that cannot hold work back, interrupted). */
  stoppedBy?: string;
}

const QUOTA_USED_UP = 'the SES 24-hour quota is used up';

/**
 * What one consumer keeps across the batches it handles: the quota left, whether it ran out, what it did.
 * `consumeBatches` makes one per Lambda invocation; `drainQueue` one for the whole run.
 */
class Consumer {
  readonly result: ConsumeResult = { failedIds: [], poisoned: 0, deferred: 0, results: [], finished: [] };
  private quotaOut = false;
  private remaining = Number.POSITIVE_INFINITY;

  constructor(private readonly deps: ConsumeDeps) {}

  async readQuota(): Promise<void> {
    const quota = await this.deps.quota?.();
    this.result.quota = quota;
    this.remaining = quota?.remaining ?? Number.POSITIVE_INFINITY;
  }

  get heldBack(): boolean {
    return this.quotaOut;
  }

  /**
   * One batch: sent whole, or failed (`id` handed back), or held back for the quota. A batch larger than the
   * quota left is held back whole; recipients the quota refused mid-batch are held back as a new batch.
   * On a queue that outlives the process they are put back with a delay and the record counts as done (its
   * receive count does not creep toward the DLQ while the quota refills); otherwise the run stops there.
   */
  async consume(id: string, batch: SendBatch): Promise<void> {
    const { deps, result } = this;
    if (deps.signal?.aborted) {
      result.stoppedBy ??= 'interrupted';
      result.failedIds.push(id);
      return;
    }
    if (this.quotaOut || batch.subscriberIds.length > this.remaining) return this.holdBack(id, batch);
    const sent = await sendBatch(batch, deps);
    result.results.push(sent);
    this.remaining -= sent.counts.sent + sent.counts.refused;
    if (sent.unsent.length === 0) return;
    if (sent.quotaExhausted) {
      return this.holdBack(id, { issue: batch.issue, subscriberIds: sent.unsent }, sent.stoppedBy);
    }
    result.failedIds.push(id);
    if (sent.stoppedBy && !deps.queue.durable) result.stoppedBy ??= sent.stoppedBy;
  }

  private async holdBack(id: string, batch: SendBatch, reason = QUOTA_USED_UP): Promise<void> {
    const { deps, result } = this;
    this.quotaOut = true;
    if (!deps.queue.durable) {
      result.stoppedBy ??= reason;
      result.failedIds.push(id);
      return;
    }
    try {
      await deps.queue.enqueue([batch], { delaySeconds: deps.deferSeconds ?? 900 });
      result.deferred += batch.subscriberIds.length;
    } catch (error) {
      deps.log?.(`could not hold back issue #${batch.issue}: ${(error as Error).message}`);
      result.failedIds.push(id);
    }
  }

  /** The issues this consumer touched (and `also`), each settled (at most once marked sent). */
  async settle(also: number[] = []): Promise<void> {
    const { deps, result } = this;
    const candidates = new Set([...also, ...result.results.map((r) => r.issue), ...(deps.issues?.keys() ?? [])]);
    for (const issue of candidates) {
      if (deps.issues?.get(issue)?.status === 'sent') continue;
      if (!(await settleIssue({ issue }, deps)).finished) continue;
      result.finished.push(issue);
      const cached = deps.issues?.get(issue);
      if (cached) deps.issues?.set(issue, { ...cached, status: 'sent' });
    }
  }
}

/**
 * The Lambda's call: a handful of queue records, each a send batch.
 * 1. Read each record as a send batch; one that is not is poisoned: only it fails.
 * 2. Before sending, read the quota; then each batch as `Consumer.consume` says (sent, failed, held back).
 * 3. The queue empty but for these records: settle the issues they belong to. Batches finishing at once
 *    elsewhere may each see the other's records; then the next scheduled run settles the issue instead.
 */
export async function consumeBatches(records: QueuedRecord[], deps: ConsumeDeps): Promise<ConsumeResult> {
  const consumer = new Consumer({ ...deps, issues: deps.issues ?? new Map(), variants: deps.variants ?? new Map() });
  await consumer.readQuota();
  for (const record of records) {
    let batch: SendBatch;
    try {
      batch = parseSendBatch(record.body);
    } catch (error) {
      consumer.result.poisoned++;
      consumer.result.failedIds.push(record.id);
      deps.log?.(`poisoned queue record: ${(error as Error).message}`, { recordId: record.id });
      continue;
    }
    await consumer.consume(record.id, batch);
  }
  // The queue still counts this call's own records as in flight.
  if (!consumer.heldBack && (await deps.queue.pending()) <= records.length) await consumer.settle();
  if (consumer.heldBack) {
    deps.log?.(
      `${QUOTA_USED_UP}: ${consumer.result.deferred} recipients wait on the queue and are tried again in ${deps.deferSeconds ?? 900} s`,
    );
  }
  return consumer.result;
}

/** Every recipient's outcome so far in a run that drains a queue (the CLI's progress bar and summary). */
export interface DeliveryProgress {
  total: number;
  done: number;
  sent: number;
  refused: number;
  /** Already sent or refused (a resumed issue), or no longer active when their turn came. */
  /** Readers who get nothing of this issue by their own choice (paused, none of their sections). */
  omitted: number;
  skipped: number;
  /** Claimed by another run that may still be sending them: the issue is not finished yet. */
  busy: number;
  failed: number;
  retried: number;
}

export function emptyProgress(total = 0): DeliveryProgress {
  return { total, done: 0, sent: 0, refused: 0, omitted: 0, skipped: 0, busy: 0, failed: 0, retried: 0 };
}

/** Recipients the ledger shows done before their batch was even made: skipped, and done. */
export function countSkipped(progress: DeliveryProgress, n: number, onProgress?: (p: DeliveryProgress) => void) {
  progress.skipped += n;
  progress.done += n;
  onProgress?.({ ...progress });
}

const COUNTED_AS: Record<RecipientOutcome, keyof DeliveryProgress> = {
  sent: 'sent',
  refused: 'refused',
  omitted: 'omitted',
  skipped: 'skipped',
  inactive: 'skipped',
  busy: 'busy',
  failed: 'failed',
};

export interface DrainResult {
  stoppedBy?: string;
  /** First few failure messages. */
  errors: string[];
  /** Issues found delivered to every active subscriber once the queue was drained, and marked sent. */
  finished: number[];
}

const MAX_ERRORS_KEPT = 5;

/**
 * The CLI's call: consumes `queue` batch by batch as the producer fills it (one consumer, so the pool sized
 * to the rate keeps what it learnt of latency), counting every recipient into `progress`. Stops at a fatal
 * error or `deps.signal`, and then closes the queue, which releases the producer. Drained to the end with
 * nothing stopped: settles `record` (even when every reader had it already and no batch came).
 */
export async function drainQueue(
  queue: DrainableQueue,
  record: Pick<IssueRecord, 'issue'>,
  deps: Omit<ConsumeDeps, 'queue'> & { onProgress?: (progress: DeliveryProgress) => void },
  progress: DeliveryProgress,
): Promise<DrainResult> {
  const consumer = new Consumer({
    ...deps,
    queue,
    issues: deps.issues ?? new Map(),
    variants: deps.variants ?? new Map(),
    onOutcome: (o) => {
      progress[COUNTED_AS[o]]++;
      progress.done++;
      deps.onOutcome?.(o);
      deps.onProgress?.({ ...progress });
    },
    onRetry: () => {
      progress.retried++;
      deps.onRetry?.();
    },
  });
  await consumer.readQuota();
  let records = 0;
  const stopped = () => {
    if (deps.signal?.aborted) consumer.result.stoppedBy ??= 'interrupted';
    return consumer.result.stoppedBy !== undefined;
  };
  try {
    await queue.drain((batch) => consumer.consume(String(++records), batch), stopped);
  } finally {
    // A stopped consumer: whatever is still being enqueued has nowhere to go (a rerun resumes it).
    queue.close();
  }
  if (!stopped()) await consumer.settle([record.issue]);
  const errors = consumer.result.results.flatMap((r) => r.errors).slice(0, MAX_ERRORS_KEPT);
  return { stoppedBy: consumer.result.stoppedBy, errors, finished: consumer.result.finished };
}

export interface SettleDeps {
  store: Pick<Store, 'listSubscribers' | 'getDeliveries' | 'advanceIssue'>;
  now: () => Date;
  pageSize?: number;
}

export interface SettleSummary {
  finished: boolean;
  /** Active subscribers without a `sent` or `refused` entry (0 when finished). */
  missing: number;
  checked: number;
}

/** Ledger entries read at once: DynamoDB's BatchGetItem takes 100 keys. */
const LOOKUPS_PER_READ = 100;

/**
 * The one rule that finishes an issue: only when every active subscriber has it or refused it.
 * 1. Stream the active subscribers and look them up in the ledger, 100 at a time (one BatchGetItem on DynamoDB).
 * 2. None missing: move the issue `sending → sent`, which advances the watermark and the sent-link set.
 *    A subscriber who joined while the issue was going out counts as missing: they get this issue first,
 *    as a resumed send does. A claim alone (a send in flight) is not done.
 */
export async function settleIssue(record: Pick<IssueRecord, 'issue'>, deps: SettleDeps): Promise<SettleSummary> {
  let missing = 0;
  let checked = 0;
  let chunk: string[] = [];
  const check = async () => {
    if (chunk.length === 0) return;
    const entries = await deps.store.getDeliveries(record.issue, chunk);
    const done = (id: string) => isFinalDelivery(entries.get(id)?.state);
    missing += chunk.filter((id) => !done(id)).length;
    checked += chunk.length;
    chunk = [];
  };
  for await (const s of eachSubscriber(deps.store, { status: 'active', pageSize: deps.pageSize })) {
    chunk.push(s.id);
    if (chunk.length >= LOOKUPS_PER_READ) await check();
  }
  await check();
  if (missing > 0) return { finished: false, missing, checked };
  await deps.store.advanceIssue(record.issue, 'sending', 'sent', deps.now().toISOString());
  return { finished: true, missing: 0, checked };
}
