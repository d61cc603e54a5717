/** sendTestIssue: one marked copy to one address; nothing in the store changes, and its link unsubscribes nobody. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { verifyToken } from '../../../lambda/core/tokens';
import { sendTestIssue, TEST_SUBJECT_PREFIX, testRecipientId } from '../../../lambda/jobs/test-send';
import { resumeOnly } from '../../helpers/delivery';
import { messageContext, placeholderIssue, SECRET } from '../../helpers/factories';
import { FakeMailer } from '../../helpers/fake-mailer';

const NOW = new Date('2026-11-23T00:00:00.000Z');

async function setup() {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-test-send-')));
  await store.addSubscriber({ email: 'reader@example.com', status: 'active' }, NOW.toISOString());
  await store.createIssue(placeholderIssue());
  const mailer = new FakeMailer();
  const deps = { compose: async () => resumeOnly(store), store, mailer, message: messageContext(), now: NOW };
  return { store, mailer, deps };
}

describe('sendTestIssue', () => {
  it('sends the unfinished issue, marked, to one address; no ledger entry, issue status or subscriber changes', async () => {
    const { store, mailer, deps } = await setup();
    const before = await store.getIssue(1);
    const result = await sendTestIssue(deps, 'me@example.com');
    expect(result).toMatchObject({ kind: 'sent', issue: 1, from: 'resume', to: 'me@example.com' });
    expect(result.kind === 'sent' && result.subject.startsWith(TEST_SUBJECT_PREFIX)).toBe(true);
    expect(mailer.accepted.map((m) => [m.to, m.test])).toEqual([['me@example.com', true]]);
    expect(await store.countDeliveries(1)).toEqual({ claimed: 0, sent: 0, refused: 0, omitted: 0 });
    expect(await store.getIssue(1)).toEqual(before);
    expect(await store.findSubscriber('me@example.com')).toBeUndefined();
  });

  it('signs its unsubscribe link for an id no subscriber can have', async () => {
    const { mailer, deps } = await setup();
    await sendTestIssue(deps, 'me@example.com');
    const raw = mailer.accepted[0]?.raw.toString('utf8') ?? '';
    const token = /token=([A-Za-z0-9_.~-]+)/.exec(raw)?.[1] ?? '';
    const subject = verifyToken(SECRET, 'unsubscribe', token, NOW.getTime());
    expect(subject).toMatch(/^test-/);
    expect(subject).toHaveLength(17); // every subscriber id is 16
    expect(testRecipientId()).not.toBe(testRecipientId());
  });

  it('a past issue by number; a number the store lacks is said, and nothing is sent', async () => {
    const { mailer, deps } = await setup();
    expect(await sendTestIssue(deps, 'me@example.com', { issue: 1 })).toMatchObject({ kind: 'sent', from: 'past' });
    expect(await sendTestIssue(deps, 'me@example.com', { issue: 9 })).toEqual({ kind: 'no-such-issue', issue: 9 });
    expect(mailer.accepted).toHaveLength(1);
  });
});
