/** Work that one run at a time may do per store: the named lock is held for it and always released. */
import type { Store } from '../ports/store';

/** Waits for the lock `name` (the store says how long a holder may keep it), runs `work`, releases. */
export async function exclusively<T>(store: Pick<Store, 'lock'>, name: string, work: () => Promise<T>): Promise<T> {
  const release = await store.lock(name);
  try {
    return await work();
  } finally {
    await release();
  }
}
