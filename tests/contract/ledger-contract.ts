/** The behaviour every Ledger adapter keeps (see ./store-contract.ts for how it is run). */
import type { Ledger } from '../../lambda/ports/store';
import { AT, type MakeStore } from './store-contract';

export interface LedgerContractOptions {
  /**
   * True when separate instances (processes) may claim concurrently: DynamoDB's conditional writes.
   * The file store instead serializes processes with its send lock, so concurrent claims there are
   * tested within one instance.
   */
  crossProcessClaims: boolean;
}

export function describeLedgerContract(name: string, make: MakeStore<Ledger>, options: LedgerContractOptions) {
  describe(`Ledger contract: ${name}`, () => {
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
      expect(await other.countDeliveries(1)).toEqual({ claimed: 1, sent: 1, refused: 1, omitted: 0 });
      expect(await other.countDeliveries(2)).toEqual({ claimed: 0, sent: 0, refused: 0, omitted: 0 });
    });

    it('gives a recipient to exactly one of many concurrent claims', async () => {
      const { store, reopen } = await make();
      const stores = options.crossProcessClaims ? [store, reopen(), reopen()] : [store, store, store];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (stores[i % 3] as Ledger).claimDelivery(5, 'same', AT)),
      );
      expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    });

    it('says busy to a second claim of this run’s live claim, and claims again at once after a release', async () => {
      const { store, reopen } = await make();
      expect(await store.claimDelivery(1, 'x', AT)).toBe('claimed');
      expect(await store.claimDelivery(1, 'x', AT)).toBe('busy');
      await store.releaseClaim(1, 'x');
      expect(await store.claimDelivery(1, 'x', AT)).toBe('claimed');
      await store.releaseClaim(1, 'x');
      expect(await reopen().claimDelivery(1, 'x', AT)).toBe('claimed');
    });

    it('keeps an outcome final: a release after it undoes nothing', async () => {
      const { store, reopen } = await make();
      expect(await store.claimDelivery(1, 'y', AT)).toBe('claimed');
      await store.completeDelivery({ issue: 1, subscriberId: 'y', state: 'sent', at: AT, messageId: 'm2' });
      await store.releaseClaim(1, 'y');
      expect(await store.claimDelivery(1, 'y', AT)).toBe('done');
      expect(await reopen().getDelivery(1, 'y')).toEqual({
        issue: 1,
        subscriberId: 'y',
        state: 'sent',
        at: AT,
        messageId: 'm2',
      });
      expect(await reopen().countDeliveries(1)).toEqual({ claimed: 0, sent: 1, refused: 0, omitted: 0 });
    });

    it('tallies what readers got: each rendering sent, and why the others got nothing, from the latest entries', async () => {
      const { store, reopen } = await make();
      const done = async (id: string, entry: Partial<Parameters<Ledger['completeDelivery']>[0]>) => {
        expect(await store.claimDelivery(3, id, AT)).toBe('claimed');
        await store.completeDelivery({ issue: 3, subscriberId: id, state: 'sent', at: AT, ...entry });
      };
      await done('a', {});
      await done('b', { variant: 's-x' });
      await done('c', { variant: 's-x' });
      await done('d', { variant: 'r-y' });
      await done('e', { state: 'omitted', omittedFor: 'pause', reason: 'paused' });
      await done('f', { state: 'omitted', omittedFor: 'round-up', reason: 'monthly' });
      await done('g', { state: 'omitted', omittedFor: 'round-up', reason: 'monthly' });
      await done('h', { state: 'refused', reason: 'no' });
      // A claim not finished is no share yet.
      expect(await store.claimDelivery(3, 'i', AT)).toBe('claimed');
      expect(await reopen().tallyShares(3)).toEqual({
        sent: { whole: 1, 's-x': 2, 'r-y': 1 },
        omitted: { pause: 1, 'round-up': 2 },
      });
      expect(await reopen().tallyShares(4)).toEqual({ sent: {}, omitted: {} });
    });
  });
}
