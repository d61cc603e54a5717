/** Marks an issue sent once every active subscriber has it or refused it: only then does state move on. */
import type { IssueRecord } from '../core/model';
import type { Store } from '../ports/store';
import { activeSubscribers } from './deliver-issue';

/** Ledger entries read at once: DynamoDB's BatchGetItem takes 100 keys. */
const LOOKUPS_PER_READ = 100;

export interface FinishSummary {
  finished: boolean;
  /** Active subscribers without a `sent` or `refused` entry (0 when finished). */
  missing: number;
  checked: number;
}

/**
 * 1. Stream the active subscribers and look them up in the ledger, 100 at a time (one BatchGetItem on DynamoDB).
 * 2. None missing: move the issue `sending → sent`, which advances the watermark and the sent-link set.
 *    A subscriber who joined while the issue was going out counts as missing: they get this issue first,
 *    as a resumed CLI send does.
 */
export async function finishIssue(
  record: Pick<IssueRecord, 'issue'>,
  deps: {
    store: Pick<Store, 'listSubscribers' | 'getDeliveries' | 'advanceIssue'>;
    now: () => Date;
    pageSize?: number;
  },
): Promise<FinishSummary> {
  let missing = 0;
  let checked = 0;
  let chunk: string[] = [];
  const check = async () => {
    const entries = await deps.store.getDeliveries(record.issue, chunk);
    const done = (id: string) => ['sent', 'refused'].includes(entries.get(id)?.state ?? '');
    missing += chunk.filter((id) => !done(id)).length;
    checked += chunk.length;
    chunk = [];
  };
  for await (const s of activeSubscribers(deps.store, deps.pageSize ?? 500)) {
    chunk.push(s.id);
    if (chunk.length >= LOOKUPS_PER_READ) await check();
  }
  await check();
  if (missing > 0) return { finished: false, missing, checked };
  await deps.store.advanceIssue(record.issue, 'sending', 'sent', deps.now().toISOString());
  return { finished: true, missing: 0, checked };
}
