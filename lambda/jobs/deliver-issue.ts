/** Delivers one stored issue to every active subscriber, exactly once each, resumably. */
import { performance } from 'node:perf_hooks';
import { DeliveryError } from '../core/errors';
import type { Delivery, IssueRecord, Subscriber } from '../core/model';
import { type RetryPolicy, withRetry } from '../core/retry';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';
import { buildMessage, type MessageContext } from '../render/message';
import { runPool, sizeForRate } from './worker-pool';

export interface DeliveryProgress {
  total: number;
  done: number;
  sent: number;
  refused: number;
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

/**
 * Inputs: a stored issue record, the store, a mailer, message context. Output: a summary.
 * 1. Move the issue `composed → sending` (the caller holds the send lock, or claims are conditional).
 * 2. Stream active subscribers page by page to a pool sized to the rate; for each not yet `sent` or
 *    `refused`: claim → build MIME → wait for a rate slot → send (transient errors retried with
 *    jittered backoff, their slot refunded) → record `sent` or `refused`.
 * 3. A fatal error or `signal` stops new sends; messages in flight finish and are recorded; a claim
 *    whose send failed is released so a rerun sends it.
 * 4. Only when every active subscriber is `sent` or `refused`: the issue moves `sending → sent`, which
 *    advances the watermark and the sent-link set (both are read from sent issues).
 */
export async function deliverIssue(record: IssueRecord, deps: DeliverDeps): Promise<DeliverySummary> {
  const started = Date.now();
  const pageSize = deps.pageSize ?? 500;
  const retry = deps.retry ?? { attempts: 10, baseDelayMs: 100, maxDelayMs: 20_000, jitter: 0.5, deadlineMs: 120_000 };
  const progress: DeliveryProgress = {
    total: 0,
    done: 0,
    sent: 0,
    refused: 0,
    skipped: 0,
    busy: 0,
    failed: 0,
    retried: 0,
  };
  const errors: string[] = [];
  let stoppedBy: string | undefined;
  const note = (message: string) => {
    if (errors.length < MAX_ERRORS_KEPT) errors.push(message);
  };

  await deps.store.advanceIssue(record.issue, 'composed', 'sending', deps.now().toISOString());
  progress.total = await countActiveSubscribers(deps.store, pageSize);
  deps.onProgress?.({ ...progress });
  const pool = sizeForRate(deps.concurrency, deps.rate);

  const finished = () => {
    progress.done++;
    deps.onProgress?.({ ...progress });
  };

  const deliverOne = async (subscriber: Subscriber) => {
    const began = performance.now();
    let waited = 0;
    const claim = await deps.store.claimDelivery(record.issue, subscriber.id, deps.now().toISOString());
    if (claim !== 'claimed') {
      if (claim === 'done') progress.skipped++;
      else progress.busy++;
      finished();
      return;
    }
    const recordOutcome = (outcome: Pick<Delivery, 'state' | 'messageId' | 'reason'>) =>
      deps.store.completeDelivery({
        issue: record.issue,
        subscriberId: subscriber.id,
        at: deps.now().toISOString(),
        ...outcome,
      });
    try {
      const message = await buildMessage(record, subscriber, deps.message, deps.now());
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
            progress.retried++;
            deps.refund?.();
          },
          sleep: deps.sleep,
        },
      );
      await recordOutcome({ state: 'sent', messageId: receipt.messageId });
      progress.sent++;
    } catch (error) {
      const failure = error instanceof DeliveryError ? error.failure : 'transient';
      const reason = (error as Error).message;
      if (failure === 'refused') {
        await recordOutcome({ state: 'refused', reason });
        progress.refused++;
        note(`${subscriber.email}: refused: ${reason}`);
      } else {
        // Not accepted: a rerun sends it again.
        await deps.store.releaseClaim(record.issue, subscriber.id);
        progress.failed++;
        note(`${subscriber.email}: ${reason}`);
        if (failure === 'fatal') stoppedBy ??= reason;
      }
    } finally {
      pool.observe(performance.now() - began - waited);
      finished();
    }
  };

  await runPool(activeSubscribers(deps.store, pageSize), deliverOne, pool, () => {
    if (deps.signal?.aborted) stoppedBy ??= 'interrupted';
    return stoppedBy !== undefined;
  });

  let status: DeliverySummary['status'] = stoppedBy ? 'stopped' : 'incomplete';
  if (!stoppedBy && progress.failed === 0 && progress.busy === 0) {
    await deps.store.advanceIssue(record.issue, 'sending', 'sent', deps.now().toISOString());
    status = 'sent';
  }
  return { ...progress, issue: record.issue, status, stoppedBy, errors, durationMs: Date.now() - started };
}
