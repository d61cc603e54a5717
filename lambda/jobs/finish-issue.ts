/** Marks an issue sent once every active subscriber has it or refused it: only then does state move on. */
import type { IssueRecord } from '../core/model';
import type { Store } from '../ports/store';
import { activeSubscribers } from './deliver-issue';

export interface FinishSummary {
  finished: boolean;
  /** Active subscribers without a `sent` or `refused` entry (0 when finished). */
  missing: number;
  checked: number;
}

/**
 * 1. Stream the active subscribers and look each up in the ledger (a few at a time).
 * 2. None missing: move the issue `sending → sent`, which advances the watermark and the sent-link set.
 *    A subscriber who joined while the issue was going out counts as missing: they get this issue first,
 *    as a resumed CLI send does.
 */
export async function finishIssue(
  record: Pick<IssueRecord, 'issue'>,
  deps: { store: Pick<Store, 'listSubscribers' | 'getDelivery' | 'advanceIssue'>; now: () => Date; pageSize?: number },
): Promise<FinishSummary> {
  let missing = 0;
  let checked = 0;
  let chunk: string[] = [];
  const check = async () => {
    const states = await Promise.all(chunk.map((id) => deps.store.getDelivery(record.issue, id)));
    missing += states.filter((d) => d?.state !== 'sent' && d?.state !== 'refused').length;
    checked += chunk.length;
    chunk = [];
  };
  for await (const s of activeSubscribers(deps.store, deps.pageSize ?? 500)) {
    chunk.push(s.id);
    if (chunk.length >= 25) await check();
  }
  await check();
  if (missing > 0) return { finished: false, missing, checked };
  await deps.store.advanceIssue(record.issue, 'sending', 'sent', deps.now().toISOString());
  return { finished: true, missing: 0, checked };
}
