import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { InProcessQueue } from '../../../lambda/adapters/in-process-queue';
import { consumeBatches, drainQueue, emptyProgress, settleIssue } from '../../../lambda/jobs/consume-issue';
import { sizeForRate } from '../../../lambda/jobs/worker-pool';
import type { SendBatch, SendQueue } from '../../../lambda/ports/queue';
import { messageContext, placeholderIssue } from '../../helpers/factories';
import { type FailureCue, FakeMailer } from '../../helpers/fake-mailer';

const AT = '2026-11-23T00:00:00.000Z';

const record = () => placeholderIssue({ status: 'sending' });

class RecordingQueue implements SendQueue {
  readonly description = 'recording';
  readonly durable = true;
  readonly added: Array<{ batch: SendBatch; delaySeconds?: number }> = [];
  inFlight = 0;
  async enqueue(batches: SendBatch[], options: { delaySeconds?: number } = {}) {
    for (const batch of batches) this.added.push({ batch, delaySeconds: options.delaySeconds });
  }
  async pending() {
    return this.inFlight + this.added.length;
  }
}

async function setup(count: number, fail?: (to: string, attempt: number) => FailureCue) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-queued-')));
  const added = await store.addSubscribers(
    Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    AT,
  );
  await store.createIssue(record());
  await store.advanceIssue(1, 'composed', 'sending', AT);
  const ids = added.map((a) => a.subscriber.id);
  const mailer = new FakeMailer(fail);
  const queue = new RecordingQueue();
  const deps = {
    store,
    queue,
    mailer,
    message: messageContext(),
    now: () => new Date(AT),
    pool: sizeForRate(2),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 },
  };
  return { store, ids, mailer, queue, deps };
}

const body = (issue: number, subscriberIds: string[]) => JSON.stringify({ issue, subscriberIds });

describe('consumeBatches (the send-batch Lambda)', () => {
  it('sends each record, fails only the poisoned one, and marks the issue sent when the queue drains', async () => {
    const { store, ids, mailer, queue, deps } = await setup(6);
    queue.inFlight = 3; // the queue still counts this call's own records
    const result = await consumeBatches(
      [
        { id: 'a', body: body(1, ids.slice(0, 3)) },
        { id: 'poison', body: '{"nope":true}' },
        { id: 'b', body: body(1, ids.slice(3)) },
      ],
      deps,
    );
    expect(result.failedIds).toEqual(['poison']);
    expect(result.poisoned).toBe(1);
    expect(mailer.accepted).toHaveLength(6);
    expect(result.finished).toEqual([1]);
    expect((await store.getIssue(1))?.status).toBe('sent');
  });

  it('fails a record whose recipients could not all be sent; redelivered, it sends only the rest', async () => {
    let down = true;
    const { ids, mailer, deps } = await setup(4, (to) => (down && to === 'r2@example.com' ? 'transient' : undefined));
    const records = [{ id: 'a', body: body(1, ids) }];
    const first = await consumeBatches(records, deps);
    expect(first.failedIds).toEqual(['a']);
    expect(first.finished).toEqual([]);
    down = false;
    const again = await consumeBatches(records, deps);
    expect(again.failedIds).toEqual([]);
    expect(mailer.accepted.map((m) => m.to).sort()).toEqual([
      'r0@example.com',
      'r1@example.com',
      'r2@example.com',
      'r3@example.com',
    ]);
    expect(again.finished).toEqual([1]);
  });

  it('holds back a batch larger than what is left of the quota, as a new delayed message, and fails nothing', async () => {
    const { ids, mailer, queue, deps } = await setup(5);
    const result = await consumeBatches([{ id: 'a', body: body(1, ids) }], {
      ...deps,
      quota: async () => ({ remaining: 3, usedRatio: 0.99 }),
    });
    expect(result.failedIds).toEqual([]);
    expect(mailer.accepted).toHaveLength(0);
    expect(result.deferred).toBe(5);
    expect(queue.added).toEqual([{ batch: { issue: 1, subscriberIds: ids }, delaySeconds: 900 }]);
  });

  it('when SES refuses for the daily quota mid-batch, puts back only the unsent, delayed', async () => {
    let sent = 0;
    const { ids, mailer, queue, deps } = await setup(6, () => (sent++ >= 2 ? 'quota' : undefined));
    const result = await consumeBatches([{ id: 'a', body: body(1, ids) }], { ...deps, pool: sizeForRate(1) });
    expect(result.failedIds).toEqual([]);
    expect(mailer.accepted).toHaveLength(2);
    const held = queue.added.flatMap((a) => a.batch.subscriberIds);
    const delivered = new Set(mailer.accepted.map((m) => m.subscriberId));
    expect(held.sort()).toEqual(ids.filter((id) => !delivered.has(id)).sort());
    expect(queue.added.every((a) => a.delaySeconds === 900)).toBe(true);
    expect(result.finished).toEqual([]);
  });
});

describe('drainQueue (the CLI)', () => {
  /** The in-process queue, filled and closed as a producer would. */
  const filled = (batches: Array<{ issue: number; subscriberIds: string[] }>) => {
    const queue = new InProcessQueue(64);
    void queue.enqueue(batches).then(() => queue.close());
    return queue;
  };

  it('sends every batch, counts each recipient, and settles the issue once the queue is closed and empty', async () => {
    const { store, ids, mailer, deps } = await setup(7);
    const progress = emptyProgress(7);
    const queue = filled([
      { issue: 1, subscriberIds: ids.slice(0, 4) },
      { issue: 1, subscriberIds: ids.slice(4) },
    ]);
    const drained = await drainQueue(queue, { issue: 1 }, deps, progress);
    expect(drained).toEqual({ errors: [], finished: [1] });
    expect(progress).toMatchObject({ done: 7, sent: 7, failed: 0 });
    expect(mailer.accepted).toHaveLength(7);
    expect((await store.getIssue(1))?.status).toBe('sent');
  });

  it('settles an issue that every reader had already, though no batch came', async () => {
    const { store, ids, deps } = await setup(2);
    for (const id of ids) await store.completeDelivery({ issue: 1, subscriberId: id, at: AT, state: 'sent' });
    const drained = await drainQueue(filled([]), { issue: 1 }, deps, emptyProgress());
    expect(drained.finished).toEqual([1]);
    expect((await store.getIssue(1))?.status).toBe('sent');
  });

  it('leaves the issue sending when a recipient failed, and names the failure', async () => {
    const { store, ids, deps } = await setup(3, (to) => (to === 'r1@example.com' ? 'transient' : undefined));
    const progress = emptyProgress(3);
    const drained = await drainQueue(filled([{ issue: 1, subscriberIds: ids }]), { issue: 1 }, deps, progress);
    expect(drained.finished).toEqual([]);
    expect(drained.stoppedBy).toBeUndefined();
    expect(drained.errors).toEqual([expect.stringMatching(/r1@example.com: transient/)]);
    expect(progress).toMatchObject({ sent: 2, failed: 1 });
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('stops at the daily quota, since a queue in this process cannot hold work back, and closes the queue', async () => {
    let sent = 0;
    const { store, ids, mailer, deps } = await setup(6, () => (sent++ >= 2 ? 'quota' : undefined));
    const queue = new InProcessQueue(1);
    const producing = queue.enqueue(ids.map((id) => ({ issue: 1, subscriberIds: [id] })));
    const drained = await drainQueue(queue, { issue: 1 }, { ...deps, pool: sizeForRate(1) }, emptyProgress());
    expect(drained.stoppedBy).toMatch(/Daily message quota exceeded/);
    expect(drained.finished).toEqual([]);
    expect(mailer.accepted).toHaveLength(2);
    // The producer waiting for room is released with an error, not left hanging.
    await expect(producing).rejects.toThrow(/closed/);
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('stops starting sends once interrupted; the issue stays resumable', async () => {
    const { store, ids, mailer, deps } = await setup(5);
    const interrupt = new AbortController();
    interrupt.abort();
    const drained = await drainQueue(
      filled([{ issue: 1, subscriberIds: ids }]),
      { issue: 1 },
      { ...deps, signal: interrupt.signal },
      emptyProgress(),
    );
    expect(drained.stoppedBy).toBe('interrupted');
    expect(mailer.accepted).toHaveLength(0);
    expect((await store.getIssue(1))?.status).toBe('sending');
  });
});

describe('settleIssue (the one rule that finishes an issue)', () => {
  const deliver = (store: FileStore, id: string, state: 'sent' | 'refused' = 'sent') =>
    store.completeDelivery({ issue: 1, subscriberId: id, at: AT, state, messageId: 'm' });
  const settleDeps = (store: FileStore) => ({ store, now: () => new Date(AT) });

  it('marks the issue sent when every active reader has it or refused it', async () => {
    const { store, ids } = await setup(5);
    for (const [i, id] of ids.entries()) await deliver(store, id, i === 0 ? 'refused' : 'sent');
    expect(await settleIssue({ issue: 1 }, settleDeps(store))).toEqual({ finished: true, missing: 0, checked: 5 });
    expect((await store.getIssue(1))?.status).toBe('sent');
  });

  it('does not finish while some active readers lack it (read 100 a call, past one page)', async () => {
    const { store, ids } = await setup(250);
    for (const id of ids.slice(0, 240)) await deliver(store, id);
    const summary = await settleIssue({ issue: 1 }, { ...settleDeps(store), pageSize: 60 });
    expect(summary).toEqual({ finished: false, missing: 10, checked: 250 });
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('finds the reader who confirmed mid-send although a reader who left after receiving it evens the count', async () => {
    const { store, ids } = await setup(4);
    for (const id of ids) await deliver(store, id);
    await store.setSubscriberStatus(ids[0] as string, 'unsubscribed', AT);
    await store.addSubscribers([{ email: 'late@example.com', status: 'active' }], AT);
    expect(await settleIssue({ issue: 1 }, settleDeps(store))).toEqual({ finished: false, missing: 1, checked: 4 });
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('does not finish on a claim alone: a send in flight is not done', async () => {
    const { store, ids } = await setup(3);
    for (const id of ids.slice(0, 2)) await deliver(store, id);
    expect(await store.claimDelivery(1, ids[2] as string, AT)).toBe('claimed');
    expect(await settleIssue({ issue: 1 }, settleDeps(store))).toMatchObject({ finished: false });
  });

  it('finishes once, when two consumers race to finish it', async () => {
    const { store, ids } = await setup(3);
    for (const id of ids) await deliver(store, id);
    const [a, b] = await Promise.all([
      settleIssue({ issue: 1 }, settleDeps(store)),
      settleIssue({ issue: 1 }, settleDeps(store)),
    ]);
    expect(a.finished && b.finished).toBe(true);
    expect((await store.getIssue(1))?.status).toBe('sent');
    expect((await store.history()).unfinished).toBeUndefined();
  });

  it('two Lambda consumers ending at once each see the other in flight: neither settles, nothing is lost', async () => {
    const { store, ids, queue, deps } = await setup(4);
    queue.inFlight = 2; // each call's own record, still counted by the queue
    const [a, b] = await Promise.all([
      consumeBatches([{ id: 'a', body: body(1, ids.slice(0, 2)) }], deps),
      consumeBatches([{ id: 'b', body: body(1, ids.slice(2)) }], { ...deps, issues: new Map() }),
    ]);
    // The next scheduled producer run settles it (produce-issue.test.ts); here, the rule itself.
    expect([a.finished, b.finished]).toEqual([[], []]);
    expect((await store.getIssue(1))?.status).toBe('sending');
    expect(await store.countDeliveries(1)).toEqual({ claimed: 0, sent: 4, refused: 0, omitted: 0 });
    const settled = await settleIssue({ issue: 1 }, { store, now: () => new Date(AT) });
    expect(settled.finished).toBe(true);
    expect((await store.getIssue(1))?.status).toBe('sent');
  });
});
