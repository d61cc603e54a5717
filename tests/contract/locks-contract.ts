/** The behaviour every Locks adapter keeps (see ./store-contract.ts for how it is run). */
import { StoreError } from '../../lambda/core/errors';
import type { Locks } from '../../lambda/ports/store';
import type { MakeStore } from './store-contract';

export function describeLocksContract(name: string, make: MakeStore<Locks>) {
  describe(`Locks contract: ${name}`, () => {
    it('holds a lock against other holders until released', async () => {
      const { store, reopen } = await make();
      const release = await store.lock('send');
      await expect(reopen().lock('send')).rejects.toThrow(StoreError);
      await release();
      const again = await reopen().lock('send');
      await again();
    });

    it('holds each name on its own, and a release twice is harmless', async () => {
      const { store, reopen } = await make();
      const send = await store.lock('send');
      const compose = await reopen().lock('compose');
      await expect(reopen().lock('compose')).rejects.toThrow(/compose/);
      await compose();
      await compose();
      await expect(reopen().lock('send')).rejects.toThrow(/send/);
      await send();
      const again = await store.lock('send');
      await again();
    });
  });
}
