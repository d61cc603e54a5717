/**
 * send-batch: delivers one queue message, a batch of recipients of one issue, exactly once each. The same
 * job serves the Lambda (an SQS record) and the CLI (the in-process queue).
 */
import { performance } from 'node:perf_hooks';
import { DeliveryError } from '../core/errors';
import type { Delivery, IssueRecord } from '../core/model';
import { type RetryPolicy, withRetry } from '../core/retry';
import type { Mailer } from '../ports/mailer';
import { readMemo } from '../ports/memo';
import { ISSUE_VARIANT } from '../ports/memo-kinds';
import type { SendBatch } from '../ports/queue';
import type { Store } from '../ports/store';
import { buildMessage, type MessageContext } from '../render/message';
import { type PoolSize, runPool } from './worker-pool';

export type RecipientOutcome = 'sent' | 'refused' | 'omitted' | 'skipped' | 'busy' | 'failed' | 'inactive';

export interface SendBatchDeps {
  store: Pick<Store, 'getIssue' | 'getSubscribers' | 'claimDelivery' | 'releaseClaim' | 'completeDelivery' | 'getMemo'>;
  mailer: Mailer;
  message: MessageContext;
  now: () => Date;
  /** Sized to the rate; shared by every batch of a run so it keeps what it learnt of send latency. */
  pool: PoolSize;
  retry?: RetryPolicy;
  /** Waits for a send slot (rate pacing); resolves at once when unpaced. */
  acquire?: () => Promise<void>;
  /** Returns the slot of a send that was not accepted. */
  refund?: () => void;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every recipient's outcome as it happens (progress, counters). */
  onOutcome?: (outcome: RecipientOutcome) => void;
  onRetry?: () => void;
  /** Aborted (Ctrl-C, a Lambda near its timeout): no new sends start; those in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Issues already read, by number: a container reuses them across batches. */
  issues?: Map<number, IssueRecord>;
  /** Variants already read, by `<issue>:<key>`: a container reuses them too. */
  variants?: Map<string, IssueRecord>;
}

export interface BatchResult {
  issue: number;
  counts: Record<RecipientOutcome, number>;
  /** Recipients not delivered by this call (failed, or never started): send them again later. */
  unsent: string[];
  /** Why sending stopped early (account paused, daily quota, interrupted). */
  stoppedBy?: string;
  /** The SES daily quota refused a send: the unsent wait for it to free, they are not failures. */
  quotaExhausted: boolean;
  /** First few failure messages. */
  errors: string[];
}

const MAX_ERRORS_KEPT = 5;
export const DEFAULT_SEND_RETRY: RetryPolicy = {
  attempts: 10,
  baseDelayMs: 100,
  maxDelayMs: 20_000,
  jitter: 0.5,
  deadlineMs: 120_000,
};

/**
 * Inputs: a batch `{ issue, subscriberIds }`, the store, a mailer, message context. Output: counts and the
 * recipients left unsent.
 * 1. Read the issue (a batch for an issue the store does not have is poisoned: thrown).
 * 2. For each id, in a pool sized to the rate: a subscriber no longer active is skipped (an unsubscribe or a
 *    bounce between enqueue and send holds); claim (conditional) → build MIME → wait for a rate slot →
 *    send (transient errors retried with jittered backoff, their slot refunded) → record `sent`/`refused`.
 * 3. A fatal error (paused account, daily quota) or `signal` stops new sends; those in flight finish and are
 *    recorded; a claim whose send failed is released so the next try sends it at once.
 */
export async function sendBatch(batch: SendBatch, deps: SendBatchDeps): Promise<BatchResult> {
  const record = deps.issues?.get(batch.issue) ?? (await deps.store.getIssue(batch.issue));
  if (!record) throw new Error(`send batch for issue #${batch.issue}, which the store does not have`);
  deps.issues?.set(batch.issue, record);
  const retry = deps.retry ?? DEFAULT_SEND_RETRY;
  const counts: Record<RecipientOutcome, number> = {
    sent: 0,
    refused: 0,
    omitted: 0,
    skipped: 0,
    busy: 0,
    failed: 0,
    inactive: 0,
  };
  const variants = deps.variants ?? new Map<string, IssueRecord>();
  /** The issue as this reader gets it: whole, or the variant or round-up stored when they were enqueued. */
  const issueFor = async (key: string | undefined): Promise<IssueRecord> => {
    if (!key) return record;
    const cached = variants.get(`${record.issue}:${key}`);
    if (cached) return cached;
    const variant = await readMemo(deps.store, ISSUE_VARIANT, { issue: record.issue, key });
    if (!variant) throw new Error(`issue #${record.issue} has no variant ${key}, which a batch names`);
    // The message is made of the rendering alone (render/message.ts); the record keeps the issue's own facts.
    const made: IssueRecord = { ...record, rendered: variant.rendered };
    variants.set(`${record.issue}:${key}`, made);
    return made;
  };
  const done = new Set<string>();
  const errors: string[] = [];
  let stoppedBy: string | undefined;
  let quotaExhausted = false;
  const note = (message: string) => {
    if (errors.length < MAX_ERRORS_KEPT) errors.push(message);
  };
  const outcome = (id: string, o: RecipientOutcome) => {
    counts[o]++;
    if (o !== 'failed') done.add(id);
    deps.onOutcome?.(o);
  };

  // The batch's subscribers in one read: their status now, so an unsubscribe or a bounce since enqueue holds.
  const subscribers = await deps.store.getSubscribers(batch.subscriberIds);
  const deliverOne = async (id: string) => {
    const subscriber = subscribers.get(id);
    if (subscriber?.status !== 'active') return outcome(id, 'inactive');
    const began = performance.now();
    let waited = 0;
    const claim = await deps.store.claimDelivery(record.issue, id, deps.now().toISOString());
    if (claim !== 'claimed') return outcome(id, claim === 'done' ? 'skipped' : 'busy');
    const share = batch.shares?.[id];
    const variant = share && 'variant' in share ? share.variant : undefined;
    const recordOutcome = (result: Pick<Delivery, 'state' | 'messageId' | 'reason' | 'omittedFor'>) =>
      deps.store.completeDelivery({
        issue: record.issue,
        subscriberId: id,
        at: deps.now().toISOString(),
        ...result,
        ...(variant ? { variant } : {}),
      });
    if (share && 'omitted' in share) {
      // Their own choice: nothing is sent, and the ledger says why (the issue can be done without them).
      await recordOutcome({ state: 'omitted', reason: share.omitted, ...(share.for ? { omittedFor: share.for } : {}) });
      return outcome(id, 'omitted');
    }
    try {
      const message = await buildMessage(await issueFor(variant), subscriber, deps.message, deps.now());
      const receipt = await withRetry(
        async () => {
          const slot = performance.now();
          await deps.acquire?.();
          waited += performance.now() - slot;
          return deps.mailer.send(message);
        },
        retry,
        {
          isRetryable: (e) => e instanceof DeliveryError && e.retryable,
          onRetry: () => {
            deps.onRetry?.();
            deps.refund?.();
          },
          sleep: deps.sleep,
        },
      );
      await recordOutcome({ state: 'sent', messageId: receipt.messageId });
      outcome(id, 'sent');
    } catch (error) {
      const failure = error instanceof DeliveryError ? error.failure : 'transient';
      const reason = (error as Error).message;
      if (failure === 'refused') {
        await recordOutcome({ state: 'refused', reason });
        note(`${subscriber.email}: refused: ${reason}`);
        outcome(id, 'refused');
      } else {
        // Not accepted: the next try sends it again.
        await deps.store.releaseClaim(record.issue, id);
        note(`${subscriber.email}: ${reason}`);
        if (failure === 'fatal') {
          stoppedBy ??= reason;
          if (error instanceof DeliveryError && error.quotaExhausted) quotaExhausted = true;
        }
        outcome(id, 'failed');
      }
    } finally {
      deps.pool.observe(performance.now() - began - waited);
    }
  };

  const ids = (async function* () {
    yield* batch.subscriberIds;
  })();
  await runPool(ids, deliverOne, deps.pool, () => {
    if (deps.signal?.aborted) stoppedBy ??= 'interrupted';
    return stoppedBy !== undefined;
  });

  return {
    issue: batch.issue,
    counts,
    unsent: batch.subscriberIds.filter((id) => !done.has(id)),
    stoppedBy,
    quotaExhausted,
    errors,
  };
}
