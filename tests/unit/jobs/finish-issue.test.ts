import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { finishIssue } from '../../../lambda/jobs/finish-issue';
import { placeholderIssue } from '../../helpers/factories';

const AT = '2026-11-23T00:00:00.000Z';

/** A file store with `readers` active readers and issue #1 going out. */
async function setup(readers: number) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-finish-')));
  const added = await store.addSubscribers(
    Array.from({ length: readers }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    AT,
  );
  await store.createIssue(placeholderIssue({ status: 'composed' }));
  await store.advanceIssue(1, 'composed', 'sending', AT);
  const ids = added.map((a) => a.subscriber.id);
  const deliver = (id: string, state: 'sent' | 'refused' = 'sent') =>
    store.completeDelivery({ issue: 1, subscriberId: id, at: AT, state, messageId: 'm' });
  return { store, ids, deliver };
}

const deps = (store: FileStore) => ({ store, now: () => new Date(AT) });

describe('finishIssue', () => {
  it('marks the issue sent when every active reader has it or refused it', async () => {
    const { store, ids, deliver } = await setup(5);
    for (const [i, id] of ids.entries()) await deliver(id, i === 0 ? 'refused' : 'sent');
    const summary = await finishIssue({ issue: 1 }, deps(store));
    expect(summary).toEqual({ finished: true, missing: 0, checked: 5 });
    expect((await store.getIssue(1))?.status).toBe('sent');
  });

  it('does not finish while some active readers lack it', async () => {
    const { store, ids, deliver } = await setup(50);
    for (const id of ids.slice(0, 40)) await deliver(id);
    expect(await finishIssue({ issue: 1 }, deps(store))).toEqual({ finished: false, missing: 10, checked: 50 });
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('finds the reader who confirmed mid-send although a reader who left after receiving it evens the count', async () => {
    const { store, ids, deliver } = await setup(4);
    for (const id of ids) await deliver(id);
    await store.setSubscriberStatus(ids[0] as string, 'unsubscribed', AT);
    await store.addSubscribers([{ email: 'late@example.com', status: 'active' }], AT);
    const summary = await finishIssue({ issue: 1 }, deps(store));
    expect(summary).toEqual({ finished: false, missing: 1, checked: 4 });
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('does not finish on a claim alone: a send in flight is not done', async () => {
    const { store, ids, deliver } = await setup(3);
    for (const id of ids.slice(0, 2)) await deliver(id);
    expect(await store.claimDelivery(1, ids[2] as string, AT)).toBe('claimed');
    expect(await finishIssue({ issue: 1 }, deps(store))).toMatchObject({ finished: false });
  });

  it('finishes once, when two consumers race to finish it', async () => {
    const { store, ids, deliver } = await setup(3);
    for (const id of ids) await deliver(id);
    const [a, b] = await Promise.all([finishIssue({ issue: 1 }, deps(store)), finishIssue({ issue: 1 }, deps(store))]);
    expect(a.finished && b.finished).toBe(true);
    expect((await store.getIssue(1))?.status).toBe('sent');
    expect((await store.history()).unfinished).toBeUndefined();
  });
});
