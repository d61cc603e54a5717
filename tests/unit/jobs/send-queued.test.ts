import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { sendQueued } from '../../../lambda/jobs/send-queued';
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

describe('sendQueued', () => {
  it('sends each record, fails only the poisoned one, and marks the issue sent when the queue drains', async () => {
    const { store, ids, mailer, queue, deps } = await setup(6);
    queue.inFlight = 3; // the queue still counts this call's own records
    const result = await sendQueued(
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
    const first = await sendQueued(records, deps);
    expect(first.failedIds).toEqual(['a']);
    expect(first.finished).toEqual([]);
    down = false;
    const again = await sendQueued(records, deps);
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
    const result = await sendQueued([{ id: 'a', body: body(1, ids) }], {
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
    const result = await sendQueued([{ id: 'a', body: body(1, ids) }], { ...deps, pool: sizeForRate(1) });
    expect(result.failedIds).toEqual([]);
    expect(mailer.accepted).toHaveLength(2);
    const held = queue.added.flatMap((a) => a.batch.subscriberIds);
    const delivered = new Set(mailer.accepted.map((m) => m.subscriberId));
    expect(held.sort()).toEqual(ids.filter((id) => !delivered.has(id)).sort());
    expect(queue.added.every((a) => a.delaySeconds === 900)).toBe(true);
    expect(result.finished).toEqual([]);
  });
});
