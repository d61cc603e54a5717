/**
 * The send queue inside one process (the CLI): the same port as SQS, so `send` on a laptop runs the path
 * the functions run on AWS. Bounded: `enqueue` waits while the buffer is full, so a list of any size is
 * fed through in constant memory while the consumer drains it.
 */
import type { DrainableQueue, SendBatch } from '../ports/queue';

export class InProcessQueue implements DrainableQueue {
  readonly description = 'the in-process queue';
  readonly durable = false;
  private readonly buffer: SendBatch[] = [];
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  private inFlight = 0;

  constructor(private readonly capacity = 8) {}

  async enqueue(batches: SendBatch[]): Promise<void> {
    for (const batch of batches) {
      while (this.buffer.length >= this.capacity && !this.closed) await this.wait();
      if (this.closed) throw new Error('the in-process queue is closed');
      this.buffer.push(batch);
      this.wake();
    }
  }

  async pending(): Promise<number> {
    return this.buffer.length + this.inFlight;
  }

  /** No more batches will come: consumers finish what is buffered, then stop. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /**
   * Takes batches as they come and hands each to `consume`, one at a time, until closed and empty or until
   * `stop()` says so. Batches left when stopped stay buffered (their recipients are resumed from the ledger).
   */
  async drain(consume: (batch: SendBatch) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
    for (;;) {
      if (stop()) return;
      const batch = this.buffer.shift();
      if (!batch) {
        if (this.closed) return;
        await this.wait();
        continue;
      }
      this.wake(); // room for a waiting producer
      this.inFlight++;
      try {
        await consume(batch);
      } finally {
        this.inFlight--;
      }
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
