/** The behaviour every Memos adapter keeps (see ./store-contract.ts for how it is run). */
import type { Memos } from '../../lambda/ports/store';
import type { MakeStore } from './store-contract';

export function describeMemosContract(name: string, make: MakeStore<Memos>) {
  describe(`Memos contract: ${name}`, () => {
    it('keeps memos', async () => {
      const { store, reopen } = await make();
      expect(await store.getMemo('k')).toBeUndefined();
      await store.putMemo('k', '{"a":1}');
      await store.putMemo('k2', 'x');
      expect(await reopen().getMemo('k')).toBe('{"a":1}');
      expect(await reopen().getMemo('k2')).toBe('x');
    });

    it('gives back exactly the text written, and the latest write under a key', async () => {
      const { store, reopen } = await make();
      const text = '{"w":1764000000,"n":2}\n"quoted" \\ é ☕ \u2028 end';
      await store.putMemo('signup:s:abc', text);
      expect(await reopen().getMemo('signup:s:abc')).toBe(text);
      await store.putMemo('signup:s:abc', '[]');
      expect(await reopen().getMemo('signup:s:abc')).toBe('[]');
    });

    it('keeps keys apart, one a prefix of another included', async () => {
      const { store, reopen } = await make();
      await store.putMemo('enqueue:1', 'one');
      await store.putMemo('enqueue:10', 'ten');
      expect(await reopen().getMemo('enqueue:1')).toBe('one');
      expect(await reopen().getMemo('enqueue:10')).toBe('ten');
      expect(await reopen().getMemo('enqueue:')).toBeUndefined();
    });

    it('reads a memo given an expiry like any other until that expiry passes', async () => {
      const { store, reopen } = await make();
      await store.putMemo('signup:ip:x', '1764000000:1', Date.now() / 1000 + 7200);
      expect(await reopen().getMemo('signup:ip:x')).toBe('1764000000:1');
    });
  });
}
