/** The behaviour every SubscriberStore adapter keeps (see ./store-contract.ts for how it is run). */
import type { SubscriberStore } from '../../lambda/ports/store';
import { AT, type MakeStore } from './store-contract';

export function describeSubscriberStoreContract(name: string, make: MakeStore<SubscriberStore>) {
  describe(`SubscriberStore contract: ${name}`, () => {
    it('starts empty: nobody subscribed', async () => {
      const { store } = await make();
      expect((await store.listSubscribers({ limit: 10 })).items).toEqual([]);
      expect(await store.findSubscriber('a@example.com')).toBeUndefined();
    });

    it('keeps an imported subscriber’s opt-in time and consent source', async () => {
      const { store, reopen } = await make();
      const optIn = '2019-03-14T18:23:45.000Z';
      const { subscriber } = await store.addSubscriber(
        { email: 'old@example.com', name: 'Old', status: 'active', createdAt: optIn, source: 'Mailchimp export' },
        AT,
      );
      expect(subscriber).toMatchObject({ createdAt: optIn, updatedAt: AT, source: 'Mailchimp export' });
      expect(await reopen().findSubscriber('old@example.com')).toEqual(subscriber);
      const [plain] = await store.addSubscribers([{ email: 'new@example.com', status: 'active' }], AT);
      expect(plain?.subscriber.createdAt).toBe(AT);
      expect(plain?.subscriber).not.toHaveProperty('source');
    });

    it('adds subscribers once per address, case-insensitively, and finds them by address and id', async () => {
      const { store, reopen } = await make();
      const { subscriber, created } = await store.addSubscriber(
        { email: 'Ann@Example.com', name: 'Ann', status: 'active' },
        AT,
      );
      expect(created).toBe(true);
      expect(subscriber).toMatchObject({ email: 'Ann@Example.com', name: 'Ann', status: 'active', createdAt: AT });
      expect(subscriber.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      const again = await reopen().addSubscriber({ email: 'ann@EXAMPLE.com', status: 'pending' }, AT);
      expect(again).toEqual({ subscriber, created: false });
      expect(await store.findSubscriber('ANN@example.com')).toEqual(subscriber);
      expect(await store.getSubscriber(subscriber.id)).toEqual(subscriber);
      expect(await store.findSubscriber('nobody@example.com')).toBeUndefined();
    });

    it('reads many subscribers by id at once, leaving out ids it does not have', async () => {
      const { store } = await make();
      const added = await store.addSubscribers(
        Array.from({ length: 130 }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
        AT,
      );
      const ids = added.map((a) => a.subscriber.id);
      // More than one BatchGetItem's 100 keys, a repeated id, and one nobody has.
      const found = await store.getSubscribers([...ids, ids[0] as string, 'nobody-has-this-id']);
      expect(found.size).toBe(130);
      expect(found.get(ids[129] as string)).toEqual(added[129]?.subscriber);
      expect(found.has('nobody-has-this-id')).toBe(false);
      expect(await store.getSubscribers([])).toEqual(new Map());
    });

    it('changes a subscriber’s status', async () => {
      const { store } = await make();
      const { subscriber } = await store.addSubscriber({ email: 'a@example.com', status: 'active' }, AT);
      const updated = await store.setSubscriberStatus(subscriber.id, 'bounced', '2026-11-24T00:00:00.000Z');
      expect(updated).toMatchObject({ status: 'bounced', updatedAt: '2026-11-24T00:00:00.000Z', createdAt: AT });
      expect((await store.findSubscriber('a@example.com'))?.status).toBe('bounced');
      expect(await store.setSubscriberStatus('no-such-id', 'active', AT)).toBeUndefined();
    });

    it('keeps a reader’s choices, replaces them, clears them, and leaves the status and its time alone', async () => {
      const { store, reopen } = await make();
      const { subscriber } = await store.addSubscriber({ email: 'p@example.com', status: 'active' }, AT);
      const prefs = { sections: ['Web', 'Books'], pausedUntil: '2026-12-24T00:00:00.000Z' };
      expect(await store.setSubscriberPrefs(subscriber.id, prefs)).toEqual({ ...subscriber, prefs });
      expect((await reopen().getSubscriber(subscriber.id))?.prefs).toEqual(prefs);
      await store.setSubscriberPrefs(subscriber.id, { sections: ['Web'] });
      expect((await store.getSubscribers([subscriber.id])).get(subscriber.id)?.prefs).toEqual({ sections: ['Web'] });
      expect(await store.setSubscriberPrefs(subscriber.id, undefined)).toEqual(subscriber);
      expect((await store.findSubscriber('p@example.com'))?.prefs).toBeUndefined();
      expect(await store.setSubscriberPrefs('no-such-id', prefs)).toBeUndefined();
    });

    it('pages through subscribers by status, every one exactly once, pages no larger than asked', async () => {
      const { store } = await make();
      const added = await store.addSubscribers(
        Array.from({ length: 37 }, (_, i) => ({
          email: `r${i}@example.com`,
          status: i % 5 === 0 ? ('unsubscribed' as const) : ('active' as const),
        })),
        AT,
      );
      expect(added.filter((r) => r.created)).toHaveLength(37);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listSubscribers({ status: 'active', cursor, limit: 7 });
        expect(page.items.length).toBeLessThanOrEqual(7);
        expect(page.items.every((s) => s.status === 'active')).toBe(true);
        seen.push(...page.items.map((s) => s.email));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen).toHaveLength(29);
      expect(new Set(seen).size).toBe(29);
      const all = await store.listSubscribers({ limit: 100 });
      expect(all.items).toHaveLength(37);
    });
  });
}
