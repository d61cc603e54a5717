/** A durable queue (SQS's part) for unit tests: keeps its batches until the test drains them; can fail after N (a crash). */
import type { SendBatch, SendQueue } from '../../lambda/ports/queue';

export class RecordingQueue implements SendQueue {
  readonly description = 'recording queue';
  readonly durable = true;
  batches: SendBatch[] = [];
  constructor(public failAfter = Number.POSITIVE_INFINITY) {}
  async enqueue(batches: SendBatch[]) {
    for (const b of batches) {
      if (this.batches.length >= this.failAfter) throw new Error('queue unavailable');
      this.batches.push(b);
    }
  }
  async pending() {
    return this.batches.length;
  }
  ids() {
    return this.batches.flatMap((b) => b.subscriberIds);
  }
}
