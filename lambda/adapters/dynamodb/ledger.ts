/** The delivery ledger on the table: D#<issue> / <subscriberId>, one entry per recipient of an issue. */
import type { Delivery } from '../../core/model';
import { type ClaimResult, type Ledger, type ShareTally, tallyEntry } from '../../ports/store';
import type { DynamoTable, Item } from './table';

const pk = (issue: number) => `D#${issue}`;
const toDelivery = ({ pk: _pk, sk: _sk, ...rest }: Item) => rest as unknown as Delivery;

export class DynamoDbLedger implements Ledger {
  /** `claimTtlMs`: a claim older than this is from a run that died; it may be claimed again. */
  constructor(
    private readonly table: DynamoTable,
    private readonly claimTtlMs: number,
  ) {}

  async getDelivery(issue: number, subscriberId: string): Promise<Delivery | undefined> {
    const item = await this.table.get(pk(issue), subscriberId);
    return item ? toDelivery(item) : undefined;
  }

  async getDeliveries(issue: number, subscriberIds: string[]): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    const items = await this.table.batchGet([...new Set(subscriberIds)].map((id) => ({ pk: pk(issue), sk: id })));
    for (const item of items) found.set(String(item.sk), toDelivery(item));
    return found;
  }

  /** A conditional put: nobody has it, or the claim on it is older than `claimTtlMs` (its run died). */
  async claimDelivery(issue: number, subscriberId: string, at: string): Promise<ClaimResult> {
    const stale = new Date(Date.parse(at) - this.claimTtlMs).toISOString();
    const claimed = await this.table.putIf(
      { pk: pk(issue), sk: subscriberId, issue, subscriberId, state: 'claimed', at },
      'attribute_not_exists(pk) OR (#st = :claimed AND #at < :stale)',
      { ':claimed': 'claimed', ':stale': stale },
      { '#st': 'state', '#at': 'at' },
    );
    if (claimed) return 'claimed';
    const current = await this.getDelivery(issue, subscriberId);
    return current && current.state !== 'claimed' ? 'done' : 'busy';
  }

  async releaseClaim(issue: number, subscriberId: string): Promise<void> {
    await this.table.deleteIf(
      { pk: pk(issue), sk: subscriberId },
      '#st = :claimed',
      { '#st': 'state' },
      { ':claimed': 'claimed' },
    );
  }

  async completeDelivery(delivery: Delivery): Promise<void> {
    await this.table.putIf({ pk: pk(delivery.issue), sk: delivery.subscriberId, ...delivery });
  }

  async countDeliveries(issue: number): Promise<Record<Delivery['state'], number>> {
    const counts = { claimed: 0, sent: 0, refused: 0, omitted: 0 };
    const items = await this.table.queryAll(pk(issue), { expression: '#st', names: { '#st': 'state' } });
    for (const item of items) counts[item.state as Delivery['state']]++;
    return counts;
  }

  async tallyShares(issue: number): Promise<ShareTally> {
    const tally: ShareTally = { sent: {}, omitted: {} };
    const items = await this.table.queryAll(pk(issue), {
      expression: '#st, #v, #o',
      names: { '#st': 'state', '#v': 'variant', '#o': 'omittedFor' },
    });
    for (const item of items) tallyEntry(tally, item as unknown as Delivery);
    return tally;
  }
}
