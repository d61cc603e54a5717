/**
 * `deploy --import-local`: the subscribers collected locally, moved into the deployed store. Each keeps its
 * status, consent date, name and where the consent came from; nobody is mailed. Run again, it adds nobody
 * twice. Where both stores know an address, a suppression wins either way: a local bounce, complaint or
 * unsubscribe suppresses the deployed reader, and a reader who left on AWS is not made active again.
 */
import type { Subscriber, SubscriberStatus } from '../core/model';
import type { Store } from '../ports/store';
import { subscriberPages } from './subscriber-pages';

const LEFT: ReadonlySet<SubscriberStatus> = new Set(['unsubscribed', 'bounced', 'complained']);

export interface ImportLocalResult {
  /** New in the deployed store, by status. */
  added: Partial<Record<SubscriberStatus, number>>;
  /** Already there, as they were. */
  unchanged: number;
  /** Already there and active, suppressed because the local store says they left. */
  suppressed: number;
  /** Pending locally: their confirmation link was signed by the local key, so they must sign up again. */
  pending: number;
}

export async function importLocalSubscribers(
  local: Pick<Store, 'listSubscribers'>,
  deployed: Pick<Store, 'addSubscribers' | 'setSubscriberStatus'>,
  at: string,
): Promise<ImportLocalResult> {
  const result: ImportLocalResult = { added: {}, unchanged: 0, suppressed: 0, pending: 0 };
  for await (const page of subscriberPages(local, { pageSize: 500 })) {
    const moving = page.items.filter((s) => s.status !== 'pending');
    result.pending += page.items.length - moving.length;
    if (moving.length === 0) continue;
    const outcomes = await deployed.addSubscribers(moving.map(asNew), at);
    for (const [i, { subscriber, created }] of outcomes.entries()) {
      const mine = moving[i] as Subscriber;
      if (created) {
        result.added[mine.status] = (result.added[mine.status] ?? 0) + 1;
      } else if (LEFT.has(mine.status) && subscriber.status === 'active') {
        await deployed.setSubscriberStatus(subscriber.id, mine.status, at);
        result.suppressed++;
      } else {
        result.unchanged++;
      }
    }
  }
  return result;
}

const asNew = (s: Subscriber) => ({
  email: s.email,
  status: s.status,
  createdAt: s.createdAt,
  ...(s.name ? { name: s.name } : {}),
  ...(s.source ? { source: s.source } : {}),
});
