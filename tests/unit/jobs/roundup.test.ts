/**
 * The monthly round-up through the pipeline that ships (produceIssue → the queue → consumeBatches), over a
 * file store and a recording mailer, seven weekly issues from November to January: a monthly reader gets one
 * message with the first issue of each month holding every link since their last, once; a reader who goes
 * back to every issue gets what waited, then issue by issue (no gap, no repeat); a pause across a month end;
 * a round-up of one section; and a round-up's batches delivered twice, sent once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { FileStore } from '../../../lambda/adapters/file-store';
import type { Bookmark } from '../../../lambda/core/model';
import { type ProduceDeps, produceIssue } from '../../../lambda/jobs/produce-issue';
import { forecastShares } from '../../../lambda/jobs/reader-shares';
import { bookmark, composeOptions } from '../../helpers/factories';
import { FakeMailer } from '../../helpers/fake-mailer';
import { consumeWith, linksRenderer, SCIENCE_AND_WEB } from '../../helpers/pipeline';
import { RecordingQueue } from '../../helpers/recording-queue';

/** Wednesdays at 8:00 UTC: four in November, two in December, one in January. */
const DATES = ['11-04', '11-11', '11-18', '11-25', '12-02', '12-09'].map((d) => `2026-${d}T08:00:00.000Z`);
DATES.push('2027-01-06T08:00:00.000Z');

async function setup() {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-roundup-')));
  const emails = ['weekly@x.org', 'monthly@x.org', 'switch@x.org', 'paused@x.org', 'science@x.org'];
  const added = await store.addSubscribers(
    emails.map((email) => ({ email, status: 'active' as const })),
    '2026-11-01T00:00:00.000Z',
  );
  const id = (email: string) => added.find((a) => a.subscriber.email === email)?.subscriber.id as string;
  for (const email of ['monthly@x.org', 'switch@x.org', 'paused@x.org']) {
    await store.setSubscriberPrefs(id(email), { frequency: 'monthly' });
  }
  await store.setSubscriberPrefs(id('science@x.org'), { frequency: 'monthly', sections: ['Science'] });

  const bookmarks: Bookmark[] = [];
  let now = new Date(DATES[0] as string);
  const render = linksRenderer();
  const queue = new RecordingQueue();
  const deps: ProduceDeps = {
    compose: {
      sources: [
        {
          id: 'list',
          source: {
            description: 'list',
            fetchSince: async () => ({ bookmarks: [...bookmarks], unchanged: false, warnings: [] }),
          },
        },
      ],
      store,
      render,
      options: {
        ...composeOptions({
          sections: SCIENCE_AND_WEB,
        }),
        timeZone: 'UTC',
        firstIssueDays: 7,
      },
      placeholder: 'pdunsubx',
      sampleUnsubscribeUrl: 'https://d.example/u?t=x',
    },
    store,
    queue,
    recipientsPerMessage: 2,
    now: () => now,
  };
  const mailer = new FakeMailer();
  const consume = () => consumeWith(store, queue, mailer, queue.batches, () => now);
  /** Issue n (1-based): two new links, one per section, saved an hour before it goes; then its send. */
  const issue = async (n: number) => {
    now = new Date(DATES[n - 1] as string);
    const savedAt = new Date(now.getTime() - 3_600_000).toISOString();
    bookmarks.push(
      bookmark({ url: `https://s.example/${n}`, tags: ['science'], savedAt }),
      bookmark({ url: `https://w.example/${n}`, tags: ['web'], savedAt }),
    );
    expect(await produceIssue(deps)).toMatchObject({ kind: 'enqueued', recipients: 5 });
    await consume();
    const sent = queue.batches;
    queue.batches = [];
    expect((await store.getIssue(n))?.status).toBe('sent');
    return sent;
  };
  const messagesTo = (email: string) =>
    Promise.all(
      mailer.accepted
        .filter((m) => m.to === email)
        .map(async (m) => {
          const mail = await simpleParser(Buffer.from(m.raw));
          const links = [...String(mail.html).matchAll(/href="https:\/\/([sw])\.example\/(\d)"/g)];
          return { subject: mail.subject, links: links.map((x) => `${x[1]}${x[2]}`) };
        }),
    );
  return { store, id, issue, messagesTo, mailer, queue, consume };
}

const all = (from: number, to: number, kinds = ['s', 'w']) =>
  Array.from({ length: to - from + 1 }, (_, i) => kinds.map((k) => `${k}${from + i}`)).flat();
const sorted = (links: string[]) => [...links].sort();

describe('the monthly round-up through the pipeline', () => {
  it('seven weekly issues: each reader gets what they chose, every link once, no gap and no repeat', async () => {
    const { store, id, issue, messagesTo } = await setup();
    await issue(1);
    await issue(2);
    await issue(3);
    // switch@ goes back to every issue; paused@ pauses past the start of December.
    await store.setSubscriberPrefs(id('switch@x.org'), undefined);
    await store.setSubscriberPrefs(id('paused@x.org'), {
      frequency: 'monthly',
      pausedUntil: '2026-12-05T00:00:00.000Z',
    });
    for (const n of [4, 5, 6, 7]) await issue(n);

    // Every issue, whole.
    expect((await messagesTo('weekly@x.org')).map((m) => m.subject)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `#${n}: 2 links`),
    );

    // Monthly: the first issue (it opened November), then one message at the start of December and of January.
    const monthly = await messagesTo('monthly@x.org');
    expect(monthly.map((m) => m.subject)).toEqual([
      '#1: 2 links',
      'round-up 2,3,4,5: 8 links',
      'round-up 6,7: 4 links',
    ]);
    expect(sorted(monthly.flatMap((m) => m.links))).toEqual(sorted(all(1, 7)));

    // Back to every issue before #4: the round-up of what waited with #4, then issue by issue.
    const switched = await messagesTo('switch@x.org');
    expect(switched.map((m) => m.subject)).toEqual([
      '#1: 2 links',
      'round-up 2,3,4: 6 links',
      '#5: 2 links',
      '#6: 2 links',
      '#7: 2 links',
    ]);
    expect(sorted(switched.flatMap((m) => m.links))).toEqual(sorted(all(1, 7)));

    // Paused over the first issue of December: nothing until it ends, then January's round-up holds it all.
    const paused = await messagesTo('paused@x.org');
    expect(paused.map((m) => m.subject)).toEqual(['#1: 2 links', 'round-up 2,3,4,5,6,7: 12 links']);
    expect(sorted(paused.flatMap((m) => m.links))).toEqual(sorted(all(1, 7)));
    expect(await store.getDelivery(5, id('paused@x.org'))).toMatchObject({ state: 'omitted', omittedFor: 'pause' });
    expect(await store.getDelivery(6, id('paused@x.org'))).toMatchObject({ state: 'omitted', omittedFor: 'round-up' });

    // Science only, monthly: its round-ups hold the science links alone.
    const science = await messagesTo('science@x.org');
    expect(science.map((m) => m.subject)).toEqual([
      '#1: 1 links',
      'round-up 2,3,4,5: 4 links',
      'round-up 6,7: 2 links',
    ]);
    expect(sorted(science.flatMap((m) => m.links))).toEqual(sorted(all(1, 7, ['s'])));

    // The ledger says who got which round-up; every issue was done without those it held.
    expect(await store.getDelivery(5, id('monthly@x.org'))).toMatchObject({
      state: 'sent',
      variant: expect.stringMatching(/^r-/),
    });
    expect(await store.countDeliveries(3)).toEqual({ claimed: 0, sent: 1, refused: 0, omitted: 4 });
  });

  it('a round-up whose batches are delivered again (SQS delivers at least once) goes out once', async () => {
    const { store, id, issue, mailer, queue, consume } = await setup();
    for (const n of [1, 2, 3, 4]) await issue(n);
    const before = mailer.accepted.length;
    // Issue #5 opens December; its batches are delivered twice (SQS at least once).
    await store.setSubscriberPrefs(id('weekly@x.org'), { frequency: 'monthly' });
    const batches = await issue(5);
    queue.batches = batches;
    await consume();
    const fifth = mailer.accepted.slice(before);
    expect(fifth.filter((m) => m.to === 'monthly@x.org')).toHaveLength(1);
    expect(fifth).toHaveLength(5);
    // weekly@ chose monthly just before #5: it opens a month and nothing of theirs waited, so it is the issue.
    const weekly = fifth.find((m) => m.to === 'weekly@x.org');
    expect(Buffer.from(weekly?.raw ?? '').toString('utf8')).toMatch(/Subject: #5: 2 links/);
  });

  it('the preflight forecast counts readers by what they will get, the month deciding for monthly ones', async () => {
    const { store, id, issue } = await setup();
    await store.setSubscriberPrefs(id('paused@x.org'), {
      frequency: 'monthly',
      pausedUntil: '2026-12-30T00:00:00.000Z',
    });
    for (const n of [1, 2, 3, 4]) await issue(n);
    const model = {
      issue: 5,
      sections: [
        { title: 'Science', bookmarks: [] },
        { title: 'Web', bookmarks: [] },
      ],
    };
    const deps = { offered: ['Science', 'Web', 'Everything else'], timeZone: 'UTC' };
    // #5 on 2 December opens the month; on 29 November it would not.
    expect(await forecastShares(store, model, new Date(DATES[4] as string), deps)).toEqual({
      readers: 5,
      shares: [
        { label: 'monthly: their round-up goes with this issue', readers: 3 },
        { label: 'paused', readers: 1 },
        { label: 'the whole issue', readers: 1 },
      ],
    });
    expect((await forecastShares(store, model, new Date('2026-11-29T08:00:00.000Z'), deps)).shares).toEqual([
      { label: 'monthly: waiting for their round-up', readers: 3 },
      { label: 'paused', readers: 1 },
      { label: 'the whole issue', readers: 1 },
    ]);
  });
});
