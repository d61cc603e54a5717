import type { Subscriber, SubscriberStatus } from '../../../lambda/core/model';
import type { SesEvent } from '../../../lambda/core/ses-events';
import { recordSesEvents } from '../../../lambda/jobs/record-ses-events';
import { subscriber } from '../../helpers/factories';

/** An in-memory stand-in for the four Store methods the job uses, recording status changes. */
function fakeStore(list: Subscriber[]) {
  const memo = new Map<string, string>();
  const changes: Array<{ id: string; status: SubscriberStatus }> = [];
  return {
    changes,
    store: {
      findSubscriber: async (email: string) => list.find((s) => s.email.toLowerCase() === email.toLowerCase()),
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
    expect(summary).toEqual({ suppressed: 2, counted: 0, unknown: 1 });
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
    });
    expect(a.status).toBe('active');
    await recordSesEvents([event('transient-bounce', a.email, '2026-11-15T00:00:00.000Z')], deps);
    expect(a.status).toBe('bounced');
    expect(changes).toHaveLength(1);
  });

  it('leaves an already suppressed address alone (a complaint after a bounce changes nothing)', async () => {
    const a = subscriber({ status: 'bounced' });
    const { store, changes } = fakeStore([a]);
    await recordSesEvents([event('complaint', a.email)], { store, transientLimit: 3 });
    expect(changes).toEqual([]);
    expect(a.status).toBe('bounced');
  });
});
