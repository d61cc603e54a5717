/**
 * produceIssue over a file store and a durable queue that records what it is given: compose once, the one
 * move to `sending`, resume after a crash mid-enqueue, busy while batches are queued, settle once drained.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { InProcessQueue } from '../../../lambda/adapters/in-process-queue';
import type { RenderIssue } from '../../../lambda/core/compose';
import type { Bookmark } from '../../../lambda/core/model';
import { readEnqueueProgress } from '../../../lambda/jobs/enqueue-issue';
import { type ProduceDeps, produceIssue } from '../../../lambda/jobs/produce-issue';
import type { BookmarkSource } from '../../../lambda/ports/bookmark-source';
import type { SendQueue } from '../../../lambda/ports/queue';
import { bookmark, composeOptions } from '../../helpers/factories';
import { RecordingQueue } from '../../helpers/recording-queue';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const AT = NOW.toISOString();

class ListSource implements BookmarkSource {
  readonly description = 'list';
  calls = 0;
  constructor(public bookmarks: Bookmark[]) {}
  async fetchSince() {
    this.calls++;
    return { bookmarks: this.bookmarks, unchanged: false, warnings: [] };
  }
}

const render: RenderIssue = (model) => ({ subject: `#${model.issue}`, preheader: '', html: '<p>x</p>', text: 'x' });

async function setup(readers: number, queue: SendQueue = new RecordingQueue()) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-produce-')));
  const added = await store.addSubscribers(
    Array.from({ length: readers }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    AT,
  );
  const source = new ListSource([bookmark({ url: 'https://a.example/1', savedAt: '2026-11-22T00:00:00.000Z' })]);
  const deps: ProduceDeps = {
    compose: {
      sources: [{ id: 'list', source }],
      store,
      render,
      options: { ...composeOptions(), firstIssueDays: 7 },
      placeholder: 'pdunsubx',
      sampleUnsubscribeUrl: 'https://d.example/u?t=x',
    },
    store,
    queue,
    recipientsPerMessage: 10,
    now: () => NOW,
  };
  return { store, source, deps, ids: added.map((a) => a.subscriber.id) };
}

const deliverAll = (store: FileStore, ids: string[], issue = 1) =>
  Promise.all(ids.map((id) => store.completeDelivery({ issue, subscriberId: id, at: AT, state: 'sent' })));

describe('produceIssue', () => {
  it('composes a new issue, stores it, moves it to sending and enqueues every active reader once', async () => {
    const { store, deps, ids } = await setup(25);
    const seen: string[] = [];
    const outcome = await produceIssue({ ...deps, onIssue: async (r) => void seen.push(r.status) });
    expect(outcome).toMatchObject({ kind: 'enqueued', composed: true, recipients: 25, batches: 3 });
    expect((await store.getIssue(1))?.status).toBe('sending');
    expect((deps.queue as RecordingQueue).ids().sort()).toEqual([...ids].sort());
    expect(seen).toHaveLength(1);
  });

  it('with nobody subscribed, stores nothing and leaves state as it was', async () => {
    const { store, deps } = await setup(0);
    expect(await produceIssue(deps)).toMatchObject({ kind: 'no-subscribers' });
    expect(await store.getIssue(1)).toBeUndefined();
    expect((deps.queue as RecordingQueue).batches).toEqual([]);
  });

  it('resumes a crash mid-enqueue from the saved cursor: each reader is enqueued once across both runs', async () => {
    const queue = new RecordingQueue(2); // the first page's two batches go in, then the queue fails
    const { store, source, deps: base, ids } = await setup(45, queue);
    const deps = { ...base, pageSize: 20 };
    await expect(produceIssue(deps)).rejects.toThrow(/queue unavailable/);
    expect((await store.getIssue(1))?.status).toBe('sending');
    const saved = await readEnqueueProgress(store, 1);
    expect(saved).toMatchObject({ done: false, recipients: 20, batches: 2 });
    expect(saved?.cursor).toBeDefined();
    queue.failAfter = Number.POSITIVE_INFINITY;
    const again = await produceIssue(deps);
    expect(again).toMatchObject({ kind: 'enqueued', composed: false, recipients: 25 });
    expect(source.calls).toBe(1); // resumed as stored, not recomposed
    expect(queue.ids()).toHaveLength(45); // from the saved cursor: nobody twice
    expect(new Set(queue.ids())).toEqual(new Set(ids));
    expect((await readEnqueueProgress(store, 1))?.done).toBe(true);
  });

  it('is busy while the issue is enqueued and its batches are still on the queue', async () => {
    const { deps } = await setup(5);
    await produceIssue(deps);
    const second = await produceIssue(deps);
    expect(second).toMatchObject({ kind: 'busy', pending: 1 });
    expect((deps.queue as RecordingQueue).batches).toHaveLength(1);
  });

  it('once the queue drained and every reader has it, settles it (sent) and composes the next issue', async () => {
    const { store, source, deps, ids } = await setup(5);
    await produceIssue(deps);
    await deliverAll(store, ids);
    (deps.queue as RecordingQueue).batches = [];
    source.bookmarks = [bookmark({ url: 'https://a.example/2', savedAt: '2026-11-23T06:00:00.000Z' })];
    const next = await produceIssue(deps);
    expect((await store.getIssue(1))?.status).toBe('sent');
    expect(next).toMatchObject({ kind: 'enqueued', composed: true, record: { issue: 2 } });
  });

  it('once the queue drained with readers still missing (one confirmed mid-send), enqueues only them', async () => {
    const { store, deps, ids } = await setup(5);
    await produceIssue(deps);
    await deliverAll(store, ids);
    const late = await store.addSubscribers([{ email: 'late@example.com', status: 'active' }], AT);
    const queue = deps.queue as RecordingQueue;
    queue.batches = [];
    const again = await produceIssue(deps);
    expect(again).toMatchObject({ kind: 'enqueued', composed: false, recipients: 1, alreadyDone: 5 });
    expect(queue.ids()).toEqual([late[0]?.subscriber.id]);
    expect((await store.getIssue(1))?.status).toBe('sending');
  });

  it('on a queue that dies with the process, a resumed issue is enqueued again from the ledger', async () => {
    const queue = new InProcessQueue(64);
    const { store, deps, ids } = await setup(12, queue);
    await produceIssue(deps);
    await deliverAll(store, ids.slice(0, 7));
    const fresh = new InProcessQueue(64);
    const outcome = await produceIssue({ ...deps, queue: fresh });
    expect(outcome).toMatchObject({ kind: 'enqueued', composed: false, recipients: 5, alreadyDone: 7 });
  });
});
