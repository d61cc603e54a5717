import type { SubscriberStatus } from '../../../lambda/core/model';
import { createToken } from '../../../lambda/core/tokens';
import {
  signupAddress,
  subscribe,
  tokenFrom,
  unsubscribe,
  unsubscribeAddress,
} from '../../../lambda/jobs/subscription';
import { clientKey, hit, ipMemoKey } from '../../../lambda/jobs/subscription-limits';
import { harness, SIGNING, START } from '../../helpers/subscription';

describe('signupAddress', () => {
  it('keeps a usable address, domain lower-cased, and refuses anything with a line break or control character', () => {
    expect(signupAddress(' Ann@Example.COM ')).toBe('Ann@example.com');
    for (const bad of ['a@b.co\r\n', 'a@b.co\n', '\ta@b.co', 'a\u007f@b.co', 'a\u0085@b.co', 'a@b.co\u2029']) {
      expect(signupAddress(bad)).toBeUndefined();
    }
    expect(signupAddress(`${'a'.repeat(242)}@example.com`)).toBe(`${'a'.repeat(242)}@example.com`);
    expect(signupAddress(`${'a'.repeat(243)}@example.com`)).toBeUndefined();
    expect(signupAddress(`${'ж'.repeat(122)}@example.com`)).toBeUndefined(); // 256 octets in 134 characters
  });
});

describe('tokenFrom', () => {
  it('finds the token in a bare token, a reply subject, or a whole unsubscribe link', () => {
    const token = 'AbC_12-x.0.k1y2z3.MAC_mac-MAC';
    expect(tokenFrom(token)).toBe(token);
    expect(tokenFrom(`unsubscribe ${token}`)).toBe(token);
    expect(tokenFrom(`Re: unsubscribe%20${token}`)).toBe(token);
    expect(tokenFrom(`https://links.example.com/unsubscribe?token=${encodeURIComponent(token)}`)).toBe(token);
  });
});

describe('sign-up limits', () => {
  it('treats an IPv6 /64 as one client and an IPv4-mapped address as IPv4', () => {
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
  });

  it('keeps IPs out of the memo keys, in a bounded set of buckets', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20_000; i++)
      keys.add(ipMemoKey('s'.repeat(40), `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    expect(keys.size).toBeLessThanOrEqual(4096);
    expect(keys.size).toBeGreaterThan(3500);
    for (const key of keys) expect(key).toMatch(/^signup:ip:[0-9a-z]{1,3}$/);
  });

  it('reads sign-up memos that are not what it wrote as none: the request counts afresh and a confirmation goes', async () => {
    const { store, deps, mailer } = harness({ limits: { perIpPerHour: 1, perAddressPerDay: 1 } });
    const { subscriber } = await store.addSubscriber({ email: 'ann@example.com', status: 'pending' }, 'x');
    const ipKey = ipMemoKey(SIGNING, '192.0.2.7');
    // Torn or hand-edited values.
    await store.putMemo(ipKey, '99999999999:nine');
    await store.putMemo(`signup:s:${subscriber.id}`, '{"w":');
    expect(await subscribe({ email: 'ann@example.com', ip: '192.0.2.7' }, deps)).toEqual({ kind: 'accepted' });
    expect(mailer.accepted).toHaveLength(1);
    const now = Math.floor(START / 1000);
    expect(await store.getMemo(ipKey)).toBe(`${now}:1`);
    expect(await store.getMemo(`signup:s:${subscriber.id}`)).toBe(`{"w":${now},"n":1,"c":${now}}`);
    // Valid now, the limits hold again.
    expect(await subscribe({ email: 'ann@example.com', ip: '192.0.2.7' }, deps)).toMatchObject({ kind: 'limited' });
  });

  it('counts in fixed windows and says how long until the window ends', () => {
    let w = hit(undefined, 1000, 3600, 2).window;
    w = hit(w, 1100, 3600, 2).window;
    expect(hit(w, 1200, 3600, 2).retryAfter).toBe(3400);
    expect(hit(w, 4600, 3600, 2)).toEqual({ window: { start: 4600, count: 1 } });
    // A window from the future (a clock set back) starts over rather than locking out for long.
    expect(hit({ start: 9000, count: 5 }, 1000, 3600, 2)).toEqual({ window: { start: 1000, count: 1 } });
  });
});

describe('leaving: one rule for the link and for the author', () => {
  const STATUSES: SubscriberStatus[] = ['active', 'pending', 'unsubscribed', 'bounced', 'complained'];

  /** One subscriber of each status, added a day before the clock; the clock then moves on an hour. */
  async function listOfEach() {
    const h = harness();
    const dayBefore = new Date(START - 86_400_000).toISOString();
    const added = await h.store.addSubscribers(
      STATUSES.map((status) => ({ email: `${status}@example.com`, status })),
      dayBefore,
    );
    h.clock.now = START + 3_600_000;
    return { ...h, subscribers: added.map((a) => a.subscriber), dayBefore };
  }

  it.each([
    ['by address (subscribers remove, unsubscribe EMAIL)', 'address'],
    ['by the link’s token', 'token'],
  ] as const)(
    '%s: active and pending leave; unsubscribed, bounced and complained keep status and time',
    async (_door, door) => {
      const { store, deps, subscribers, dayBefore } = await listOfEach();
      const kinds: Record<string, string> = {};
      for (const s of subscribers) {
        if (door === 'address') {
          kinds[s.status] = (await unsubscribeAddress(s.email, deps)).kind;
        } else {
          const outcome = await unsubscribe(createToken(SIGNING, 'unsubscribe', s.id), deps);
          kinds[s.status] = outcome.kind === 'unsubscribed' ? (outcome.subscriber?.status ?? 'gone') : outcome.kind;
        }
      }
      expect(kinds).toEqual(
        door === 'address'
          ? {
              active: 'left',
              pending: 'left',
              unsubscribed: 'unchanged',
              bounced: 'unchanged',
              complained: 'unchanged',
            }
          : {
              active: 'unsubscribed',
              pending: 'unsubscribed',
              unsubscribed: 'unsubscribed',
              bounced: 'bounced',
              complained: 'complained',
            },
      );
      const after = await Promise.all(subscribers.map((s) => store.getSubscriber(s.id)));
      expect(after.map((s) => [s?.email, s?.status, s?.updatedAt])).toEqual([
        ['active@example.com', 'unsubscribed', new Date(START + 3_600_000).toISOString()],
        ['pending@example.com', 'unsubscribed', new Date(START + 3_600_000).toISOString()],
        ['unsubscribed@example.com', 'unsubscribed', dayBefore],
        ['bounced@example.com', 'bounced', dayBefore],
        ['complained@example.com', 'complained', dayBefore],
      ]);
    },
  );

  it('says when the address is not on the list, and changes nothing', async () => {
    const { deps } = await listOfEach();
    expect(await unsubscribeAddress('nobody@example.com', deps)).toEqual({ kind: 'not-on-list' });
  });
});
