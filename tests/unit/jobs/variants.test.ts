/**
 * Readers' choices through the pipeline that ships (produceIssue → the queue → consumeBatches), over a file
 * store and a recording mailer: one rendering per distinct choice, each reader their sections only, a paused
 * reader omitted in the ledger, and a batch redelivered after a crash, with a choice changed meanwhile: the
 * reader gets the variant fixed when they were enqueued, once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { FileStore } from '../../../lambda/adapters/file-store';
import { type ProduceDeps, produceIssue } from '../../../lambda/jobs/produce-issue';
import type { BookmarkSource } from '../../../lambda/ports/bookmark-source';
import type { SendBatch } from '../../../lambda/ports/queue';
import { bookmark, composeOptions } from '../../helpers/factories';
import { FakeMailer } from '../../helpers/fake-mailer';
import { consumeWith, linksRenderer, SCIENCE_AND_WEB } from '../../helpers/pipeline';
import { RecordingQueue } from '../../helpers/recording-queue';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const AT = NOW.toISOString();

const list = (bookmarks: ReturnType<typeof bookmark>[]): BookmarkSource => ({
  description: 'list',
  fetchSince: async () => ({ bookmarks, unchanged: false, warnings: [] }),
});

async function setup() {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-variants-')));
  const emails = ['whole@x.org', 'sci1@x.org', 'sci2@x.org', 'web@x.org', 'away@x.org'];
  const added = await store.addSubscribers(
    emails.map((email) => ({ email, status: 'active' as const })),
    AT,
  );
  const id = (email: string) => added.find((a) => a.subscriber.email === email)?.subscriber.id as string;
  await store.setSubscriberPrefs(id('sci1@x.org'), { sections: ['Science'] });
  await store.setSubscriberPrefs(id('sci2@x.org'), { sections: ['Science'] });
  await store.setSubscriberPrefs(id('web@x.org'), { sections: ['Web'] });
  await store.setSubscriberPrefs(id('away@x.org'), { pausedUntil: '2026-12-21T00:00:00.000Z' });
  const renders: string[][] = [];
  const render = linksRenderer(renders);
  const queue = new RecordingQueue();
  const deps: ProduceDeps = {
    compose: {
      sources: [
        {
          id: 'list',
          source: list([
            bookmark({ url: 'https://s.example/1', tags: ['science'], savedAt: '2026-11-22T00:00:00.000Z' }),
            bookmark({ url: 'https://s.example/2', tags: ['science'], savedAt: '2026-11-22T01:00:00.000Z' }),
            bookmark({ url: 'https://w.example/1', tags: ['web'], savedAt: '2026-11-22T02:00:00.000Z' }),
          ]),
        },
      ],
      store,
      render,
      options: {
        ...composeOptions({
          sections: SCIENCE_AND_WEB,
        }),
        firstIssueDays: 7,
      },
      placeholder: 'pdunsubx',
      sampleUnsubscribeUrl: 'https://d.example/u?t=x',
    },
    store,
    queue,
    recipientsPerMessage: 10,
    now: () => NOW,
  };
  const consume = (mailer: FakeMailer, batches: SendBatch[]) => consumeWith(store, queue, mailer, batches, () => NOW);
  return { store, deps, queue, renders, id, consume };
}

const hrefs = (html: string) => [...html.matchAll(/href="(https:\/\/[sw]\.example\/\d)"/g)].map((m) => m[1]).sort();

describe('variants through the pipeline', () => {
  it('renders once per distinct choice, sends each reader their sections, omits the paused one', async () => {
    const { store, deps, queue, renders, id, consume } = await setup();
    const produced = await produceIssue(deps);
    expect(produced).toMatchObject({ kind: 'enqueued', recipients: 5 });
    // The compose's renders, then one per distinct choice: Science, Web (the whole issue needs none).
    const afterCompose = renders.slice(renders.findIndex((r) => r.length === 1));
    expect(afterCompose).toEqual([['Science'], ['Web']]);
    const shares = queue.batches.flatMap((b) => Object.entries(b.shares ?? {}));
    expect(Object.fromEntries(shares)[id('away@x.org')]).toEqual({
      omitted: 'paused until 2026-12-21T00:00:00.000Z',
      for: 'pause',
    });
    expect(shares.find(([who]) => who === id('whole@x.org'))).toBeUndefined();

    const mailer = new FakeMailer();
    await consume(mailer, queue.batches);
    const to = (email: string) => mailer.accepted.filter((m) => m.to === email);
    expect(to('away@x.org')).toEqual([]);
    const html = (email: string) => Buffer.from(to(email)[0]?.raw ?? '').toString('utf8');
    expect(html('whole@x.org')).toMatch(/#1: 3 links/);
    expect(html('sci1@x.org')).toMatch(/#1: 2 links/);
    expect(html('web@x.org')).toMatch(/#1: 1 links/);
    expect((await store.getDelivery(1, id('away@x.org')))?.state).toBe('omitted');
    const sci = await store.getDelivery(1, id('sci2@x.org'));
    expect(sci).toMatchObject({ state: 'sent', variant: expect.stringMatching(/^s-/) });
    expect((await store.getDelivery(1, id('whole@x.org')))?.variant).toBeUndefined();
    expect((await store.getIssue(1))?.status).toBe('sent');
    expect(await store.countDeliveries(1)).toEqual({ claimed: 0, sent: 4, refused: 0, omitted: 1 });
  });

  it('a batch redelivered after a crash, a choice changed meanwhile: the variant fixed at enqueue, once', async () => {
    const { store, deps, queue, id, consume } = await setup();
    await produceIssue(deps);
    // The first try: the mail server is down for sci1 only.
    const first = new FakeMailer((to) => (to === 'sci1@x.org' ? 'transient' : undefined));
    await consume(first, queue.batches);
    expect(first.accepted.map((m) => m.to)).not.toContain('sci1@x.org');
    // sci1 changes their mind before the redelivery; web already has the issue.
    await store.setSubscriberPrefs(id('sci1@x.org'), { sections: ['Web'] });
    const second = new FakeMailer();
    await consume(second, queue.batches);
    expect(second.accepted.map((m) => m.to)).toEqual(['sci1@x.org']);
    const raw = Buffer.from(second.accepted[0]?.raw ?? '').toString('utf8');
    expect(raw).toMatch(/#1: 2 links/); // Science, as when they were enqueued
    expect((await store.getDelivery(1, id('sci1@x.org')))?.variant).toBe(
      (await store.getDelivery(1, id('sci2@x.org')))?.variant,
    );
    expect(hrefs(String((await simpleParser(raw)).html))).toEqual(['https://s.example/1', 'https://s.example/2']);
  });
});
