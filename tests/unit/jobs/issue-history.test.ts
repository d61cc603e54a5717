/** How `issues list` counts the readers who left: each change once, against the last issue sent to them before it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { issueDetail, issueHistory } from '../../../lambda/jobs/issue-history';
import { issueRecord } from '../../contract/store-contract';

const t = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

async function sentIssue(store: FileStore, n: number, day: number, to: string[], refused: string[] = []) {
  await store.createIssue({ ...issueRecord(n, 'composed', [`https://x.example/${n}`], t(day)), composedAt: t(day) });
  await store.advanceIssue(n, 'composed', 'sending', t(day));
  for (const id of to) {
    await store.claimDelivery(n, id, t(day));
    await store.completeDelivery({ issue: n, subscriberId: id, state: 'sent', at: t(day, 1) });
  }
  for (const id of refused) {
    await store.claimDelivery(n, id, t(day));
    await store.completeDelivery({ issue: n, subscriberId: id, state: 'refused', at: t(day, 1), reason: 'no' });
  }
  await store.advanceIssue(n, 'sending', 'sent', t(day, 2));
}

describe('issue history', () => {
  it('counts bounces, complaints and unsubscribes against the last issue each reader was sent before the change', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-history-')));
    const add = async (email: string) => (await store.addSubscriber({ email, status: 'active' }, t(1))).subscriber.id;
    const [a, b, c, d, e, f] = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => add(`${x}@example.com`)),
    ).then((ids) => ids as [string, string, string, string, string, string]);

    await sentIssue(store, 1, 2, [a, b, c, d, e], [f]);
    await store.setSubscriberStatus(a, 'unsubscribed', t(3)); // after #1
    await store.setSubscriberStatus(b, 'bounced', t(3)); // after #1
    await sentIssue(store, 2, 9, [c, d, e]);
    await store.setSubscriberStatus(c, 'complained', t(10)); // after #2, though #1 reached c too
    await store.setSubscriberStatus(d, 'unsubscribed', t(10));
    await store.setSubscriberStatus(d, 'active', t(11)); // came back: not counted
    await store.setSubscriberStatus(f, 'unsubscribed', t(12)); // only ever refused: no issue reached f
    // Composed, not sent: nobody is counted against it.
    await store.createIssue({ ...issueRecord(3, 'composed', ['https://x.example/3'], t(13)), composedAt: t(13) });

    const rows = await issueHistory(store);
    const figures = rows.map(({ issue, status, sent, refused, bounced, complained, unsubscribed }) => ({
      issue,
      status,
      sent,
      refused,
      bounced,
      complained,
      unsubscribed,
    }));
    expect(figures).toEqual([
      { issue: 1, status: 'sent', sent: 5, refused: 1, bounced: 1, complained: 0, unsubscribed: 1 },
      { issue: 2, status: 'sent', sent: 3, refused: 0, bounced: 0, complained: 1, unsubscribed: 0 },
      { issue: 3, status: 'composed', sent: 0, refused: 0, bounced: 0, complained: 0, unsubscribed: 0 },
    ]);
    expect(rows[0]).toMatchObject({ subject: 'Digest #1', links: 1, sentAt: t(2, 2), composedAt: t(2) });

    const detail = await issueDetail(store, 2);
    expect(detail).toMatchObject({ issue: 2, sent: 3, complained: 1 });
    expect(detail?.sections).toEqual([{ title: 'S', links: [{ title: 'A', url: 'https://a.example/' }] }]);
    expect(await issueDetail(store, 4)).toBeUndefined();
  });
});
