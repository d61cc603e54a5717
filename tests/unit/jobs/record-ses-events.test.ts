import type { Subscriber, SubscriberStatus } from '../../../lambda/core/model';
import { parseSesNotification, type SesEvent } from '../../../lambda/core/ses-events';
import { createToken } from '../../../lambda/core/tokens';
import { recordSesEvents } from '../../../lambda/jobs/record-ses-events';
import { subscriber } from '../../helpers/factories';

/** An in-memory stand-in for the five Store methods the job uses, recording status changes. */
function fakeStore(list: Subscriber[]) {
  const memo = new Map<string, string>();
  const changes: Array<{ id: string; status: SubscriberStatus }> = [];
  return {
    changes,
    memo,
    store: {
      findSubscriber: async (email: string) => list.find((s) => s.email.toLowerCase() === email.toLowerCase()),
      getSubscriber: async (id: string) => list.find((s) => s.id === id),
      setSubscriberStatus: async (id: string, status: SubscriberStatus, at: string) => {
        const s = list.find((x) => x.id === id);
        if (!s) return undefined;
        s.status = status;
        s.updatedAt = at;
        changes.push({ id, status });
        return s;
      },
      getMemo: async (key: string) => memo.get(key),
      putMemo: async (key: string, value: string) => {
        memo.set(key, value);
      },
    },
  };
}

const event = (kind: SesEvent['kind'], email: string, at = '2026-11-21T07:00:00.000Z'): SesEvent => ({
  kind,
  email,
  at,
});

describe('recordSesEvents', () => {
  it('suppresses at once on a permanent bounce and on a complaint, and only those', async () => {
    const [a, b, c] = [subscriber(), subscriber(), subscriber()] as [Subscriber, Subscriber, Subscriber];
    const { store, changes } = fakeStore([a, b, c]);
    const summary = await recordSesEvents(
      [
        event('permanent-bounce', a.email.toUpperCase()),
        event('complaint', b.email),
        event('permanent-bounce', 'nobody@example.com'),
      ],
      { store, transientLimit: 3 },
    );
    expect(summary).toEqual({
      suppressed: 2,
      counted: 0,
      unknown: 1,
      unsubscribed: 0,
      invalidReplies: 0,
      notes: 0,
      refusedNotes: 0,
    });
    expect(changes).toEqual([
      { id: a.id, status: 'bounced' },
      { id: b.id, status: 'complained' },
    ]);
    expect(c.status).toBe('active');
  });

  it('suppresses after the configured number of transient bounces, a replayed notice counting once', async () => {
    const a = subscriber();
    const { store, changes } = fakeStore([a]);
    const deps = { store, transientLimit: 3 };
    await recordSesEvents([event('transient-bounce', a.email, '2026-11-01T00:00:00.000Z')], deps);
    // SNS delivers at least once: the same notice again is not a second bounce.
    await recordSesEvents([event('transient-bounce', a.email, '2026-11-01T00:00:00.000Z')], deps);
    expect(await recordSesEvents([event('transient-bounce', a.email, '2026-11-08T00:00:00.000Z')], deps)).toEqual({
      suppressed: 0,
      counted: 1,
      unknown: 0,
      unsubscribed: 0,
      invalidReplies: 0,
      notes: 0,
      refusedNotes: 0,
    });
    expect(a.status).toBe('active');
    await recordSesEvents([event('transient-bounce', a.email, '2026-11-15T00:00:00.000Z')], deps);
    expect(a.status).toBe('bounced');
    expect(changes).toHaveLength(1);
  });

  it('keeps the bounce times as existing stores hold them, and refuses a memo that is not a list of times', async () => {
    const [a, b] = [subscriber(), subscriber()] as [Subscriber, Subscriber];
    const { store, memo, changes } = fakeStore([a, b]);
    await recordSesEvents([event('transient-bounce', a.email)], { store, transientLimit: 3 });
    expect(memo.get(`soft-bounces:${a.id}`)).toBe('["2026-11-21T07:00:00.000Z"]');
    // Read as none, it would forget the bounces counted: the event fails instead, naming the memo.
    memo.set(`soft-bounces:${b.id}`, '{"count":2}');
    await expect(recordSesEvents([event('transient-bounce', b.email)], { store, transientLimit: 3 })).rejects.toThrow(
      `memo "soft-bounces:${b.id}" (soft bounces) holds no valid value`,
    );
    expect(memo.get(`soft-bounces:${b.id}`)).toBe('{"count":2}');
    expect(changes).toEqual([]);
  });

  it('leaves an already suppressed address alone (a complaint after a bounce changes nothing)', async () => {
    const a = subscriber({ status: 'bounced' });
    const { store, changes } = fakeStore([a]);
    await recordSesEvents([event('complaint', a.email)], { store, transientLimit: 3 });
    expect(changes).toEqual([]);
    expect(a.status).toBe('bounced');
  });
});

describe('recordSesEvents: replies to the List-Unsubscribe mailto, received by an SES receipt rule', () => {
  const SECRET = 'reply-test-secret-reply-test-secret-000000';
  /** The SNS message SES publishes for mail received by a rule with an SNS action (trimmed to what it reads). */
  const received = (subject: string, virus = 'PASS') =>
    JSON.stringify({
      notificationType: 'Received',
      receipt: {
        timestamp: '2026-11-21T07:00:00.000Z',
        recipients: ['unsubscribe@links.example.com'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: virus },
        action: { type: 'SNS', topicArn: 'arn:aws:sns:eu-west-1:123456789012:events', encoding: 'UTF8' },
      },
      mail: {
        timestamp: '2026-11-21T07:00:00.000Z',
        source: 'someone@example.org',
        destination: ['unsubscribe@links.example.com'],
        commonHeaders: { from: ['Someone <someone@example.org>'], subject },
      },
      content: 'From: someone@example.org\r\n\r\n',
    });

  it('unsubscribes by the token in the subject, whoever sent the reply, and only with a valid token', async () => {
    const [a, b] = [subscriber(), subscriber()] as [Subscriber, Subscriber];
    const { store, changes } = fakeStore([a, b]);
    const token = createToken(SECRET, 'unsubscribe', a.id);
    const events = [
      ...parseSesNotification(received(`Re: unsubscribe ${token}`)),
      // Another subscriber's id under a forged signature, a confirm token, and a bare "unsubscribe".
      ...parseSesNotification(received(`unsubscribe ${token.replace(a.id, b.id)}`)),
      ...parseSesNotification(received(`unsubscribe ${createToken(SECRET, 'confirm', b.id)}`)),
      ...parseSesNotification(received('unsubscribe')),
    ];
    const summary = await recordSesEvents(events, { store, transientLimit: 3, secret: SECRET });
    expect(summary).toMatchObject({ unsubscribed: 1, invalidReplies: 3, suppressed: 0 });
    expect(changes).toEqual([{ id: a.id, status: 'unsubscribed' }]);
    expect(b.status).toBe('active');
    // SNS delivers at least once: the same reply again is harmless.
    expect(await recordSesEvents(events.slice(0, 1), { store, transientLimit: 3, secret: SECRET })).toMatchObject({
      unsubscribed: 1,
    });
    expect(changes).toHaveLength(1);
  });

  it('drops a reply SES found a virus in, and acts on none without the signing key', async () => {
    const a = subscriber();
    const { store, changes } = fakeStore([a]);
    const token = createToken(SECRET, 'unsubscribe', a.id);
    const infected = parseSesNotification(received(`unsubscribe ${token}`, 'FAIL'));
    expect(await recordSesEvents(infected, { store, transientLimit: 3, secret: SECRET })).toMatchObject({
      invalidReplies: 1,
    });
    const clean = parseSesNotification(received(`unsubscribe ${token}`));
    expect(await recordSesEvents(clean, { store, transientLimit: 3 })).toMatchObject({ invalidReplies: 1 });
    expect(changes).toEqual([]);
  });
});
