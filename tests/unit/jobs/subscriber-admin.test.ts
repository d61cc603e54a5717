/** The author's additions (jobs/subscriber-admin.ts), as `subscribers add [--confirmed]` runs them. */
import type { SubscriberStatus } from '../../../lambda/core/model';
import { addActive, invite } from '../../../lambda/jobs/subscriber-admin';
import { harness } from '../../helpers/subscription';

async function withStatus(status: SubscriberStatus) {
  const h = harness();
  const { subscriber } = await h.store.addSubscriber(
    { email: `${status}@example.com`, status },
    '2026-01-01T00:00:00.000Z',
  );
  return { ...h, subscriber };
}

describe('addActive (add --confirmed)', () => {
  it('adds a new address active', async () => {
    const { deps, store } = harness();
    const outcome = await addActive({ email: 'new@example.com', name: 'New' }, deps);
    expect(outcome).toMatchObject({ kind: 'added', subscriber: { email: 'new@example.com', name: 'New' } });
    expect((await store.findSubscriber('new@example.com'))?.status).toBe('active');
  });

  it.each([
    ['active', 'already-active', 'active'],
    ['pending', 'reactivated', 'active'],
    ['unsubscribed', 'reactivated', 'active'],
    ['bounced', 'suppressed', 'bounced'],
    ['complained', 'suppressed', 'complained'],
  ] as const)('an address %s: %s, then %s', async (status, kind, after) => {
    const { deps, store, subscriber } = await withStatus(status);
    const outcome = await addActive({ email: subscriber.email }, deps);
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'reactivated') expect(outcome.was).toBe(status);
    expect((await store.getSubscriber(subscriber.id))?.status).toBe(after);
  });
});

describe('invite (add)', () => {
  it('mails a new address a confirmation once a day and keeps it pending', async () => {
    const { deps, mailer, store } = harness();
    let built = 0;
    const confirmations = async () => {
      built++;
      return deps;
    };
    const first = await invite({ email: 'new@example.com' }, { store, confirmations });
    expect(first).toMatchObject({ kind: 'sent', status: 'pending' });
    expect((await invite({ email: 'new@example.com' }, { store, confirmations })).kind).toBe('recently-sent');
    expect(mailer.accepted.map((m) => m.to)).toEqual(['new@example.com']);
    expect(built).toBe(2);
  });

  it('leaves an active address alone without building the confirmation (no templates compiled)', async () => {
    const { store, mailer, subscriber } = await withStatus('active');
    const confirmations = jest.fn();
    expect((await invite({ email: subscriber.email }, { store, confirmations })).kind).toBe('already-active');
    expect(confirmations).not.toHaveBeenCalled();
    expect(mailer.accepted).toEqual([]);
  });

  it('mails a bounced address a confirmation, its status kept until the link is opened', async () => {
    const { deps, store, mailer, subscriber } = await withStatus('bounced');
    const outcome = await invite({ email: subscriber.email }, { store, confirmations: async () => deps });
    expect(outcome).toMatchObject({ kind: 'sent', status: 'bounced' });
    expect(mailer.accepted).toHaveLength(1);
    expect((await store.getSubscriber(subscriber.id))?.status).toBe('bounced');
  });
});
