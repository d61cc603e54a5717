/** Delivers one stored issue to every active subscriber, exactly once each, resumably. */
import { DeliveryError } from '../core/errors';
import type { IssueRecord, Subscriber } from '../core/model';
import { type RetryPolicy, withRetry } from '../core/retry';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';
import { buildMessage, type MessageContext } from '../render/message';

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
  /** Messages in flight at once; also the most a crash can duplicate. */
  concurrency: number;
  pageSize?: number;
  retry?: RetryPolicy;
  /** Waits for a send slot (rate pacing); resolves at once when unpaced. */
  acquire?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: DeliveryProgress) => void;
}

const MAX_ERRORS_KEPT = 5;

/** Active subscribers, counted page by page (memory stays flat however long the list). */
export async function countActiveSubscribers(store: Pick<Store, 'listSubscribers'>, pageSize = 1000): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listSubscribers({ status: 'active', cursor, limit: pageSize });
    total += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return total;
}

/**
 * Inputs: a stored issue record, the store, a mailer, message context. Output: a summary.
 * 1. Move the issue `composed → sending` (the caller holds the send lock, or claims are conditional).
 * 2. Page through active subscribers; for each not yet `sent`/`refused` in the ledger:
 *    claim → build MIME → send (transient errors retried with backoff) → record `sent` or `refused`.
 * 3. A fatal error stops new sends; messages in flight finish and are recorded.
 * 4. Only when every active subscriber is `sent` or `refused`: the issue moves `sending → sent`, which
 *    advances the watermark and the sent-link set (both are read from sent issues).
 */
export async function deliverIssue(record: IssueRecord, deps: DeliverDeps): Promise<DeliverySummary> {
  const started = Date.now();
  const pageSize = deps.pageSize ?? 500;
  const retry = deps.retry ?? { attempts: 8, baseDelayMs: 500, maxDelayMs: 20_000, jitter: 0.5, deadlineMs: 120_000 };
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

  {
    await deps.store.advanceIssue(record.issue, 'composed', 'sending', deps.now().toISOString());
    progress.total = await countActiveSubscribers(deps.store, pageSize);
    deps.onProgress?.({ ...progress });

    const deliverOne = async (subscriber: Subscriber) => {
      const claim = await deps.store.claimDelivery(record.issue, subscriber.id, deps.now().toISOString());
      if (claim !== 'claimed') {
        if (claim === 'done') progress.skipped++;
        else progress.busy++;
        progress.done++;
        deps.onProgress?.({ ...progress });
        return;
      }
      try {
        const message = await buildMessage(record, subscriber, deps.message, deps.now());
        const receipt = await withRetry(
          async () => {
            await deps.acquire?.();
            return deps.mailer.send(message);
          },
          retry,
          {
            isRetryable: (e) => e instanceof DeliveryError && e.retryable,
            onRetry: () => {
              progress.retried++;
            },
            sleep: deps.sleep,
          },
        );
        await deps.store.completeDelivery({
          issue: record.issue,
          subscriberId: subscriber.id,
          state: 'sent',
          at: deps.now().toISOString(),
          messageId: receipt.messageId,
        });
        progress.sent++;
      } catch (error) {
        const failure = error instanceof DeliveryError ? error.failure : 'transient';
        const reason = (error as Error).message;
        if (failure === 'refused') {
          await deps.store.completeDelivery({
            issue: record.issue,
            subscriberId: subscriber.id,
            state: 'refused',
            at: deps.now().toISOString(),
            reason,
          });
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
        progress.done++;
        deps.onProgress?.({ ...progress });
      }
    };

    let cursor: string | undefined;
    do {
      const page = await deps.store.listSubscribers({ status: 'active', cursor, limit: pageSize });
      cursor = page.cursor;
      const queue = page.items;
      let next = 0;
      const worker = async () => {
        while (next < queue.length && !stoppedBy) {
          const subscriber = queue[next++];
          if (subscriber) await deliverOne(subscriber);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, worker));
    } while (cursor && !stoppedBy);

    let status: DeliverySummary['status'] = stoppedBy ? 'stopped' : 'incomplete';
    if (!stoppedBy && progress.failed === 0 && progress.busy === 0) {
      await deps.store.advanceIssue(record.issue, 'sending', 'sent', deps.now().toISOString());
      status = 'sent';
    }
    return { ...progress, issue: record.issue, status, stoppedBy, errors, durationMs: Date.now() - started };
  }
}
