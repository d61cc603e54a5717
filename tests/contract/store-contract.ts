/**
 * The behaviour every Store adapter keeps, run against each (file store in unit tests, DynamoDB on
 * dynalite in integration tests). `make` returns a fresh, empty store; `reopen` a second instance on
 * the same data (another process, or a Lambda's next cold start).
 */
import { StoreError } from '../../lambda/core/errors';
import type { IssueRecord } from '../../lambda/core/model';
import type { Store } from '../../lambda/ports/store';

const AT = '2026-11-23T00:00:00.000Z';

export function issueRecord(n: number, status: IssueRecord['status'], links: string[], watermark: string): IssueRecord {
  return {
    issue: n,
    status,
    model: {
      issue: n,
      subject: `Digest #${n}`,
      preheader: 'p',
      window: { from: AT, to: AT },
      sections: [
        { title: 'S', bookmarks: [{ url: 'https://a.example/', title: 'A', note: '', tags: ['t'], savedAt: AT }] },
      ],
      bookmarkCount: links.length,
      carriedOver: 0,
    },
    rendered: { subject: `Digest #${n}`, preheader: 'p', html: '<p>é ☕ x</p>'.repeat(100), text: 'x' },
    placeholder: 'pdunsubx',
    watermark,
    links,
    composedAt: AT,
  };
}

export interface ContractOptions {
  /**
   * True when separate instances (processes) may claim concurrently: DynamoDB's conditional writes.
   * The file store instead serializes processes with its send lock, so concurrent claims there are
   * tested within one instance.
   */
  crossProcessClaims: boolean;
}

export function describeStoreContract(
  name: string,
  make: () => Promise<{ store: Store; reopen: () => Store }>,
  options: ContractOptions,
) {
  describe(`Store contract: ${name}`, () => {
    it('starts empty: issue 1 next, nothing sent, nobody subscribed', async () => {
      const { store } = await make();
      const h = await store.history();
      expect(h.nextIssue).toBe(1);
      expect(h.lastSent).toBeUndefined();
      expect(h.unfinished).toBeUndefined();
      expect(h.sentLinks.size).toBe(0);
      expect((await store.listSubscribers({ limit: 10 })).items).toEqual([]);
    });

    it('stores an issue whole and returns it byte for byte', async () => {
      const { store, reopen } = await make();
      const record = issueRecord(1, 'composed', ['http://a.example'], AT);
      await store.createIssue(record);
      expect(await reopen().getIssue(1)).toEqual(record);
      expect(await store.getIssue(2)).toBeUndefined();
    });

    it('derives watermark and sent links from sent issues only, and reports the unfinished one', async () => {
      const { store, reopen } = await make();
      await store.createIssue(issueRecord(1, 'composed', ['http://a.example'], '2026-11-10T00:00:00.000Z'));
      expect(await store.advanceIssue(1, 'composed', 'sending', AT)).toBe(true);
      expect(await store.advanceIssue(1, 'sending', 'sent', '2026-11-11T00:00:00.000Z')).toBe(true);
      await store.createIssue(issueRecord(2, 'composed', ['http://b.example'], '2026-11-17T00:00:00.000Z'));
      await store.advanceIssue(2, 'composed', 'sending', AT);

      const h = await reopen().history();
      expect(h.nextIssue).toBe(3);
      expect(h.lastSent).toEqual({
        issue: 1,
        watermark: '2026-11-10T00:00:00.000Z',
        sentAt: '2026-11-11T00:00:00.000Z',
      });
      expect([...h.sentLinks]).toEqual(['http://a.example']);
      expect(h.unfinished?.issue).toBe(2);
      expect(h.unfinished?.status).toBe('sending');
      expect(h.unfinished?.rendered.html).toContain('☕');
    });

    it('lists every issue oldest first, with subject, link count and times, without the body', async () => {
      const { store, reopen } = await make();
      expect(await store.listIssues()).toEqual([]);
      await store.createIssue(issueRecord(2, 'composed', ['http://b.example', 'http://c.example'], AT));
      await store.createIssue(issueRecord(1, 'composed', ['http://a.example'], AT));
      await store.advanceIssue(1, 'composed', 'sending', AT);
      await store.advanceIssue(1, 'sending', 'sent', '2026-11-23T01:00:00.000Z');
      const listed = await reopen().listIssues();
      expect(listed).toEqual([
        {
          issue: 1,
          status: 'sent',
          subject: 'Digest #1',
          bookmarkCount: 1,
          composedAt: AT,
          sentAt: '2026-11-23T01:00:00.000Z',
        },
        { issue: 2, status: 'composed', subject: 'Digest #2', bookmarkCount: 2, composedAt: AT },
      ]);
      expect(JSON.stringify(listed)).not.toContain('☕');
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

    it('moves an issue only from the expected status, and never creates one twice', async () => {
      const { store } = await make();
      await store.createIssue(issueRecord(1, 'composed', [], AT));
      expect(await store.advanceIssue(1, 'sending', 'sent', AT)).toBe(false);
      expect((await store.getIssue(1))?.status).toBe('composed');
      expect(await store.advanceIssue(9, 'composed', 'sending', AT)).toBe(false);
      await expect(store.createIssue(issueRecord(1, 'composed', [], AT))).rejects.toThrow(StoreError);
    });

    it('keeps the ledger: sent and refused recipients are done; a crashed run’s claim is taken again', async () => {
      const { store, reopen } = await make();
      expect(await store.claimDelivery(1, 'a', AT)).toBe('claimed');
      await store.completeDelivery({ issue: 1, subscriberId: 'a', state: 'sent', at: AT, messageId: 'm1' });
      expect(await store.claimDelivery(1, 'c', AT)).toBe('claimed');
      await store.completeDelivery({ issue: 1, subscriberId: 'c', state: 'refused', at: AT, reason: 'no' });
      expect(await store.claimDelivery(1, 'b', '2026-11-23T00:00:00.000Z')).toBe('claimed');

      const other = reopen();
      expect(await other.claimDelivery(1, 'a', AT)).toBe('done');
      expect(await other.claimDelivery(1, 'c', AT)).toBe('done');
      // An hour later, b's claim is stale in every store: its run is gone.
      expect(await other.claimDelivery(1, 'b', '2026-11-23T01:00:00.000Z')).toBe('claimed');
      expect(await other.getDelivery(1, 'a')).toMatchObject({ state: 'sent', messageId: 'm1' });
      const entries = await other.getDeliveries(1, ['a', 'b', 'c', 'nobody', 'a']);
      expect([...entries.keys()].sort()).toEqual(['a', 'b', 'c']);
      expect(entries.get('a')).toMatchObject({ issue: 1, subscriberId: 'a', state: 'sent', messageId: 'm1' });
      expect(entries.get('c')).toMatchObject({ state: 'refused', reason: 'no' });
      expect((await other.getDeliveries(2, ['a'])).size).toBe(0);
      expect(await other.countDeliveries(1)).toEqual({ claimed: 1, sent: 1, refused: 1 });
      expect(await other.countDeliveries(2)).toEqual({ claimed: 0, sent: 0, refused: 0 });
    });

    it('gives a recipient to exactly one of many concurrent claims', async () => {
      const { store, reopen } = await make();
      const stores = options.crossProcessClaims ? [store, reopen(), reopen()] : [store, store, store];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (stores[i % 3] as Store).claimDelivery(5, 'same', AT)),
      );
      expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
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

    it('keeps memos', async () => {
      const { store, reopen } = await make();
      expect(await store.getMemo('k')).toBeUndefined();
      await store.putMemo('k', '{"a":1}');
      await store.putMemo('k2', 'x');
      expect(await reopen().getMemo('k')).toBe('{"a":1}');
    });

    it('holds a lock against other holders until released', async () => {
      const { store, reopen } = await make();
      const release = await store.lock('send');
      await expect(reopen().lock('send')).rejects.toThrow(StoreError);
      await release();
      const again = await reopen().lock('send');
      await again();
    });
  });
}
