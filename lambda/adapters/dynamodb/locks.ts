/** Locks on the table: LOCK / <name>, a lease with its owner, renewed while held. */
import { randomUUID } from 'node:crypto';
import { StoreError } from '../../core/errors';
import type { Locks, Release } from '../../ports/store';
import { type DynamoTable, expiry } from './table';

const DAY = 86_400;

export class DynamoDbLocks implements Locks {
  /** `leaseMs`: how long a lock lasts without renewal (renewed every third of it while held). */
  constructor(
    private readonly table: DynamoTable,
    private readonly leaseMs: number,
  ) {}

  /** A lease: taken if free or expired, renewed while held, released by its owner only. */
  async lock(name: string): Promise<Release> {
    const owner = randomUUID();
    const take = () =>
      this.table.putIf(
        // A lease left by a run that died is taken over by the next; TTL clears one nobody takes after a day.
        { pk: 'LOCK', sk: name, owner, expiresAt: Date.now() + this.leaseMs, ...expiry(Date.now() / 1000 + DAY) },
        'attribute_not_exists(pk) OR expiresAt < :now OR #o = :me',
        { ':now': Date.now(), ':me': owner },
        { '#o': 'owner' },
      );
    if (!(await take())) {
      const holder = await this.table.get('LOCK', name);
      const until = new Date(Number(holder?.expiresAt ?? 0)).toISOString();
      throw new StoreError(
        `another run holds the "${name}" lock on ${this.table.name} (until ${until} unless renewed)`,
      );
    }
    const renew = setInterval(() => void take().catch(() => {}), this.leaseMs / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await this.table.deleteIf({ pk: 'LOCK', sk: name }, '#o = :me', { '#o': 'owner' }, { ':me': owner });
    };
  }
}
