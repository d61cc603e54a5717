/** The send queue between composing an issue and sending it: SQS on AWS, in-process in the CLI. */

import type { SendBatch } from '../core/batches';

export type { SendBatch };

export interface SendQueue {
  readonly description: string;
  /** Whether queued batches outlive this process (SQS: yes; the CLI's in-process queue: no). */
  readonly durable: boolean;
  /**
   * Enqueues batches; resolves once every one is accepted (entries the queue refused are retried, then an
   * error names how many were not accepted). `delaySeconds` (≤ 900) holds them back, e.g. until quota frees.
   */
  enqueue(batches: SendBatch[], options?: { delaySeconds?: number }): Promise<void>;
  /** Messages waiting or in flight (approximate on SQS). */
  pending(): Promise<number>;
}

/**
 * A queue its host drains itself (the CLI's in-process queue): the consumer takes batches as they come, one at
 * a time, until the producer closes it or `stop()` says so. Batches left when stopped die with the process;
 * their recipients are resumed from the ledger.
 */
export interface DrainableQueue extends SendQueue {
  drain(consume: (batch: SendBatch) => Promise<void>, stop?: () => boolean): Promise<void>;
  /** No more batches will come (the producer is done, or a stopped consumer releases it). */
  close(): void;
}
