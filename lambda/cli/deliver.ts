/**
 * The CLI's host of the delivery pipeline: the producer (jobs/produce-issue.ts) and the consumer
 * (jobs/consume-issue.ts) that the functions run over SQS on AWS, here over one bounded queue in this
 * process. The consumer starts draining as soon as the issue is known, so the producer never holds more
 * than the queue's few batches and memory stays flat however long the list.
 */
import type { IssueRecord } from '../core/model';
import {
  type ConsumeDeps,
  countSkipped,
  type DeliveryProgress,
  type DrainResult,
  drainQueue,
} from '../jobs/consume-issue';
import { type ProduceDeps, type ProduceOutcome, produceIssue } from '../jobs/produce-issue';
import { countSubscribers } from '../jobs/subscriber-pages';
import type { DrainableQueue } from '../ports/queue';

export type ConsumerDeps = Omit<ConsumeDeps, 'queue' | 'store'>;
type IssueInfo = Parameters<NonNullable<ProduceDeps['onIssue']>>[1];

export interface InProcessDeps {
  produce: Omit<ProduceDeps, 'queue' | 'onIssue' | 'onAlreadyDone'>;
  /** A queue in this process (wiring's `localQueue`), bounded: the producer waits while it is full. */
  queue: DrainableQueue;
  /** What the consumer sends with, asked once the issue is known (the CLI prints the plan then). */
  consumer: (record: IssueRecord, info: IssueInfo) => Promise<ConsumerDeps>;
  /** Every recipient's outcome is counted here; `total` is set once the issue is known. */
  progress: DeliveryProgress;
  onProgress?: (progress: DeliveryProgress) => void;
}

export interface InProcessRun {
  /** What the producer did; absent when a stopped consumer closed the queue under it. */
  outcome?: ProduceOutcome;
  /** The issue handed to the consumer, if one was. */
  record?: IssueRecord;
  drained?: DrainResult;
}

/** Produces and consumes one issue in this process. A producer error is thrown, unless the consumer had stopped. */
export async function deliverInProcess(deps: InProcessDeps): Promise<InProcessRun> {
  const { produce, queue, progress, onProgress } = deps;
  let draining: Promise<DrainResult> | undefined;
  let record: IssueRecord | undefined;
  const outcome = await produceIssue({
    ...produce,
    queue,
    onAlreadyDone: (n) => countSkipped(progress, n, onProgress),
    onIssue: async (issue, info) => {
      record = issue;
      const consumer = await deps.consumer(issue, info);
      progress.total = await countSubscribers(produce.store, { status: 'active' });
      onProgress?.({ ...progress });
      draining = drainQueue(queue, issue, { ...consumer, store: produce.store, onProgress }, progress);
    },
  })
    .finally(() => queue.close())
    .catch(async (error: unknown) => {
      // A stopped consumer closes the queue under the producer: that is the stop, not another failure.
      if ((await draining)?.stoppedBy) return undefined;
      throw error;
    });
  return { outcome, record, drained: await draining };
}

/** How a run that reached the consumer ended, for the summary and the exit code. */
export interface DeliverySummary extends DeliveryProgress {
  issue: number;
  /** `sent`: every active subscriber has it or refused it; otherwise a rerun resumes. */
  status: 'sent' | 'incomplete' | 'stopped';
  /** Why the run stopped early (account paused, outbox unwritable, interrupted). */
  stoppedBy?: string;
  /** First few failure messages. */
  errors: string[];
  durationMs: number;
}

export function deliverySummary(
  issue: number,
  progress: DeliveryProgress,
  drained: DrainResult,
  durationMs: number,
): DeliverySummary {
  const status = drained.finished.includes(issue) ? 'sent' : drained.stoppedBy ? 'stopped' : 'incomplete';
  return { ...progress, issue, status, stoppedBy: drained.stoppedBy, errors: drained.errors, durationMs };
}
