import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { type LedgerEntry, LedgerIndex } from '../../../lambda/adapters/ledger-index';
import type { DeliveryState } from '../../../lambda/core/model';
import { newSubscriberId } from '../../../lambda/core/tokens';

const STATES: DeliveryState[] = ['claimed', 'sent', 'refused', 'omitted'];

describe('LedgerIndex', () => {
  it('answers like a Map for any mix of store-made ids and other ids, through growth', () => {
    const packed = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b).toString('base64url'));
    const other = fc.string({ minLength: 0, maxLength: 20 });
    const offset = fc.option(fc.integer({ min: 0, max: 2 ** 32 - 2 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(packed, other), fc.constantFrom(...STATES), offset), { maxLength: 300 }),
        (writes) => {
          const index = new LedgerIndex(16);
          const model = new Map<string, LedgerEntry>();
          for (const [id, state, at] of writes) {
            index.set(id, state, at);
            model.set(id, at === undefined ? { state } : { state, offset: at });
            expect(index.get(id)).toEqual(model.get(id));
          }
          for (const [id] of writes) expect(index.get(id)).toEqual(model.get(id));
          expect(index.size).toBe(model.size);
          const counts = { claimed: 0, sent: 0, refused: 0, omitted: 0 };
          for (const e of model.values()) counts[e.state]++;
          expect(index.counts()).toEqual(counts);
        },
      ),
    );
  });

  it('treats an offset it cannot keep (past 4 GiB) as unknown', () => {
    const index = new LedgerIndex();
    index.set('AAAAAAAAAAAAAAAA', 'sent', 2 ** 32 + 5);
    expect(index.get('AAAAAAAAAAAAAAAA')).toEqual({ state: 'sent' });
  });

  it('knows nothing of an id never set, however close to one that was', () => {
    const index = new LedgerIndex();
    index.set('AAAAAAAAAAAAAAAA', 'sent');
    expect(index.get('AAAAAAAAAAAAAAAB')).toBeUndefined();
    expect(index.get('BAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(index.get('AAAAAAAAAAAAAAA')).toBeUndefined(); // 15 characters: another key
    expect(index.get('AAAAAAAAAAAAAAAA')).toEqual({ state: 'sent' });
  });

  it('keeps 300,000 recipients exactly, in under 9 MB', () => {
    // Ids as the store makes them (12 random bytes each), from one draw of random bytes.
    const bytes = randomBytes(300_000 * 12);
    const ids = Array.from({ length: 300_000 }, (_, i) => bytes.toString('base64url', i * 12, i * 12 + 12));
    const expected = (i: number): DeliveryState => STATES[i % STATES.length] as DeliveryState;
    const index = new LedgerIndex();
    ids.forEach((id, i) => {
      index.set(id, 'claimed');
      if (expected(i) !== 'claimed') index.set(id, expected(i));
    });
    expect(index.size).toBe(new Set(ids).size);
    expect(index.counts()).toEqual({ claimed: 75_000, sent: 75_000, refused: 75_000, omitted: 75_000 });
    expect(ids.filter((id, i) => index.state(id) !== expected(i))).toEqual([]);
    expect(index.get(newSubscriberId())).toBeUndefined();
    expect(index.bytes).toBeLessThanOrEqual(9 * 1024 * 1024); // 17 bytes a slot; a Map of strings took 23 MB
  });
});
