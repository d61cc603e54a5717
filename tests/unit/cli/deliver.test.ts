import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
/**
 * The CLI's host of the pipeline (cli/deliver.ts): the producer and the consumer over the in-process queue,
 * as `send` runs them. The stored issue is resumed, so no source is read.
 */
import { InProcessQueue } from '../../../lambda/adapters/in-process-queue';
import { deliverInProcess, deliverySummary } from '../../../lambda/cli/deliver';
import { emptyProgress } from '../../../lambda/jobs/consume-issue';
import { sizeForRate } from '../../../lambda/jobs/worker-pool';
import type { Mailer } from '../../../lambda/ports/mailer';
import { resumeOnly } from '../../helpers/delivery';
import { placeholderIssue, SECRET } from '../../helpers/factories';
import { FakeMailer } from '../../helpers/fake-mailer';

const AT = '2026-11-23T00:00:00.000Z';

const record = () => placeholderIssue();

async function setup(count: number) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-deliver-')));
  await store.addSubscribers(
    Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    AT,
  );
  await store.addSubscriber({ email: 'gone@example.com', status: 'unsubscribed' }, AT);
  await store.addSubscriber({ email: 'bounced@example.com', status: 'bounced' }, AT);
  await store.createIssue(record());
  return store;
}

/** One `send` of the stored issue: recipients enqueued 50 a batch while they are drained. */
async function deliverIssue(store: FileStore, mailer: Mailer, options: { concurrency?: number } = {}) {
  const progress = emptyProgress();
  const { record, drained } = await deliverInProcess({
    queue: new InProcessQueue(),
    produce: { compose: resumeOnly(store), store, recipientsPerMessage: 2, now: () => new Date(AT) },
    progress,
    consumer: async () => ({
      mailer,
      message: {
        from: 'D <d@example.com>',
        listId: { name: 'D', id: 'd.example.com' },
        siteUrl: 'https://d.example',
        secret: SECRET,
      },
      now: () => new Date(AT),
      pool: sizeForRate(options.concurrency ?? 3),
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 },
    }),
  });
  if (!record || !drained) throw new Error('nothing was delivered');
  return deliverySummary(record.issue, progress, drained, 0);
}

describe('send in one process (producer and consumer over the in-process queue)', () => {
  it('sends one message to each active subscriber, never to suppressed ones, then marks the issue sent', async () => {
    const store = await setup(10);
    const mailer = new FakeMailer();
    const summary = await deliverIssue(store, mailer);
    expect(summary).toMatchObject({ status: 'sent', total: 10, sent: 10, refused: 0, failed: 0, skipped: 0 });
    const to = mailer.accepted.map((m) => m.to).sort();
    expect(new Set(to).size).toBe(10);
    expect(to).not.toContain('gone@example.com');
    expect(to).not.toContain('bounced@example.com');
    expect((await store.getIssue(1))?.status).toBe('sent');
    expect((await store.history()).sentLinks).toEqual(new Set(['http://a.example']));
  });

  it('retries transient failures and records permanent refusals without stopping', async () => {
    const store = await setup(6);
    const mailer = new FakeMailer((to, attempt) =>
      to === 'r1@example.com' && attempt < 3 ? 'transient' : to === 'r2@example.com' ? 'refused' : undefined,
    );
    const summary = await deliverIssue(store, mailer);
    expect(summary).toMatchObject({ status: 'sent', sent: 5, refused: 1, failed: 0, retried: 2 });
    expect(mailer.attempts.get('r1@example.com')).toBe(3);
    expect(summary.errors).toEqual([expect.stringMatching(/r2@example.com: refused: refused for r2/)]);
    expect(await store.countDeliveries(1)).toEqual({ claimed: 0, sent: 5, refused: 1, omitted: 0 });
  });

  it('leaves the issue resumable when retries run out, and a rerun sends only what is missing', async () => {
    const store = await setup(6);
    const flaky = new FakeMailer((to) => (to === 'r4@example.com' ? 'transient' : undefined));
    const first = await deliverIssue(store, flaky);
    expect(first).toMatchObject({ status: 'incomplete', sent: 5, failed: 1 });
    expect((await store.getIssue(1))?.status).toBe('sending');
    expect((await store.history()).sentLinks.size).toBe(0);

    const healthy = new FakeMailer();
    const second = await deliverIssue(store, healthy);
    expect(second).toMatchObject({ status: 'sent', sent: 1, skipped: 5 });
    expect(healthy.accepted.map((m) => m.to)).toEqual(['r4@example.com']);
  });

  it('stops at a fatal error, sends nothing more, and resumes later without duplicates', async () => {
    const store = await setup(12);
    let fatal = true;
    const mailer = new FakeMailer((to) => (fatal && to === 'r5@example.com' ? 'fatal' : undefined));
    const first = await deliverIssue(store, mailer, { concurrency: 1 });
    expect(first.status).toBe('stopped');
    expect(first.stoppedBy).toMatch(/fatal for r5/);
    expect(mailer.accepted.length).toBeLessThan(12);
    fatal = false;
    await deliverIssue(store, mailer);
    const to = mailer.accepted.map((m) => m.to);
    expect(to).toHaveLength(12);
    expect(new Set(to).size).toBe(12);
  });

  it('a reader who confirms mid-send keeps the issue open; the rerun sends them only', async () => {
    const store = await setup(6);
    const mailer = new FakeMailer();
    // The list is enqueued (3 batches fit the queue at once) before the last send, when the reader confirms.
    const joining: Mailer = {
      description: 'a reader confirms before the last send',
      send: async (message) => {
        if (mailer.accepted.length === 5) {
          await store.addSubscribers([{ email: 'late@example.com', status: 'active' }], AT);
        }
        return mailer.send(message);
      },
    };
    const first = await deliverIssue(store, joining, { concurrency: 1 });
    expect(first).toMatchObject({ status: 'incomplete', sent: 6, failed: 0 });
    expect((await store.getIssue(1))?.status).toBe('sending');
    const second = await deliverIssue(store, mailer);
    expect(second).toMatchObject({ status: 'sent', sent: 1, skipped: 6 });
    expect(mailer.accepted.slice(6).map((m) => m.to)).toEqual(['late@example.com']);
  });
});
