import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { InProcessQueue } from '../../../lambda/adapters/in-process-queue';
import { enqueueIssue } from '../../../lambda/jobs/enqueue-issue';
import type { SendBatch, SendQueue } from '../../../lambda/ports/queue';

const AT = '2026-11-23T00:00:00.000Z';

/** A durable queue that keeps what it was given, and can fail once after N batches (a crash mid-enqueue). */
class RecordingQueue implements SendQueue {
  readonly description = 'recording queue';
  readonly durable = true;
  readonly batches: SendBatch[] = [];
  constructor(private failAfter = Number.POSITIVE_INFINITY) {}
  async enqueue(batches: SendBatch[]) {
    for (const b of batches) {
      if (this.batches.length >= this.failAfter) {
        this.failAfter = Number.POSITIVE_INFINITY;
        throw new Error('queue unavailable');
      }
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

async function storeWith(count: number) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-enqueue-')));
  const added = await store.addSubscribers(
    Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    AT,
  );
  await store.addSubscriber({ email: 'gone@example.com', status: 'unsubscribed' }, AT);
  return { store, ids: added.map((a) => a.subscriber.id) };
}

describe('enqueueIssue', () => {
  it('puts every active subscriber on the queue once, in batches, and a second call adds nothing', async () => {
    const { store, ids } = await storeWith(230);
    const queue = new RecordingQueue();
    const deps = { store, queue, recipientsPerMessage: 50, pageSize: 100 };
    const first = await enqueueIssue({ issue: 1 }, deps, { resumed: false });
    expect(first).toMatchObject({ recipients: 230, alreadyEnqueued: false });
    expect(queue.batches.every((b) => b.issue === 1 && b.subscriberIds.length <= 50)).toBe(true);
    expect(queue.ids().sort()).toEqual([...ids].sort());
    // A duplicated or retried compose-issue invocation.
    const second = await enqueueIssue({ issue: 1 }, deps, { resumed: true });
    expect(second).toMatchObject({ recipients: 0, batches: 0, alreadyEnqueued: true });
    expect(queue.ids()).toHaveLength(230);
  });

  it('after a crash mid-enqueue, goes on from the saved cursor: nobody lost, at most one page twice', async () => {
    const { store, ids } = await storeWith(450);
    const queue = new RecordingQueue(5); // fails on the 6th batch (inside the 3rd page of 100)
    const deps = { store, queue, recipientsPerMessage: 50, pageSize: 100 };
    await expect(enqueueIssue({ issue: 1 }, deps, { resumed: false })).rejects.toThrow('queue unavailable');
    await enqueueIssue({ issue: 1 }, deps, { resumed: true });
    const all = queue.ids();
    expect(new Set(all)).toEqual(new Set(ids));
    expect(all.length - new Set(all).size).toBeLessThanOrEqual(100);
  });

  it('again: starts over and enqueues only those the ledger does not show as sent or refused', async () => {
    const { store, ids } = await storeWith(120);
    const queue = new RecordingQueue();
    const deps = { store, queue, recipientsPerMessage: 50, pageSize: 100 };
    await enqueueIssue({ issue: 1 }, deps, { resumed: false });
    for (const [i, id] of ids.slice(0, 100).entries()) {
      await store.claimDelivery(1, id, AT);
      await store.completeDelivery({ issue: 1, subscriberId: id, state: i % 10 === 0 ? 'refused' : 'sent', at: AT });
    }
    queue.batches.length = 0;
    const again = await enqueueIssue({ issue: 1 }, deps, { resumed: true, again: true });
    expect(again).toMatchObject({ recipients: 20, alreadyDone: 100 });
    expect(queue.ids().sort()).toEqual(ids.slice(100).sort());
  });

  it('keeps its progress memo in the form existing stores hold, and refuses one that is not progress', async () => {
    const { store } = await storeWith(120);
    const queue = new RecordingQueue();
    await enqueueIssue({ issue: 1 }, { store, queue, recipientsPerMessage: 50, pageSize: 100 }, { resumed: false });
    expect(await store.getMemo('enqueue:1')).toBe('{"recipients":120,"batches":3,"done":true,"round":0}');
    // A hand edit or a foreign write: never taken as "not done" (all enqueued again) nor as "done" (nobody).
    await store.putMemo('enqueue:2', '{"recipients":120,"batches":3,"done":"yes","round":0}');
    const again = enqueueIssue({ issue: 2 }, { store, queue, recipientsPerMessage: 50 }, { resumed: true });
    await expect(again).rejects.toThrow(/memo "enqueue:2" \(enqueue progress\) holds no valid value/);
    expect(queue.batches.filter((b) => b.issue === 2)).toEqual([]);
  });
});

describe('InProcessQueue', () => {
  it('hands every batch to the consumer in order while holding at most its capacity', async () => {
    const queue = new InProcessQueue(2);
    let maxBuffered = 0;
    const seen: number[] = [];
    const producing = (async () => {
      for (let i = 0; i < 20; i++) {
        await queue.enqueue([{ issue: i, subscriberIds: ['x'] }]);
        maxBuffered = Math.max(maxBuffered, (await queue.pending()) - 1);
      }
      queue.close();
    })();
    await queue.drain(async (b) => {
      seen.push(b.issue);
      await new Promise((r) => setTimeout(r, 1));
    });
    await producing;
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxBuffered).toBeLessThanOrEqual(2);
    expect(await queue.pending()).toBe(0);
  });

  it('stops when told, leaving the rest; a producer blocked on a full buffer is released by close()', async () => {
    const queue = new InProcessQueue(1);
    const producing = queue.enqueue(Array.from({ length: 5 }, (_, i) => ({ issue: i, subscriberIds: ['x'] })));
    let consumed = 0;
    await queue.drain(
      async () => {
        consumed++;
      },
      () => consumed >= 2,
    );
    queue.close();
    await expect(producing).rejects.toThrow(/closed/);
    expect(consumed).toBe(2);
  });
});
