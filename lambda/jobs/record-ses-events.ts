/** Takes bouncing and complaining addresses off the list, as SES reports them. */
import type { SesEvent } from '../core/ses-events';
import type { Store } from '../ports/store';

export interface SesEventsSummary {
  suppressed: number;
  /** Transient bounces counted but not (yet) past the limit. */
  counted: number;
  /** Addresses that are not (or no longer) on the list. */
  unknown: number;
}

export interface SesEventsDeps {
  store: Pick<Store, 'findSubscriber' | 'setSubscriberStatus' | 'getMemo' | 'putMemo'>;
  /** Transient bounces after which an address is suppressed. */
  transientLimit: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

const softBounceKey = (subscriberId: string) => `soft-bounces:${subscriberId}`;

/**
 * Inputs: events parsed from SES notifications. Output: counts.
 * 1. Find the subscriber by address; unknown addresses are counted and left alone.
 * 2. A permanent bounce → `bounced`, a complaint → `complained`, at once: every later issue skips them.
 * 3. A transient bounce adds one to the subscriber's count; at `transientLimit` → `bounced`.
 * Replaying the same notice (SNS delivers at least once) suppresses nobody twice and changes nothing else
 * once the address is suppressed.
 */
export async function recordSesEvents(events: SesEvent[], deps: SesEventsDeps): Promise<SesEventsSummary> {
  const summary: SesEventsSummary = { suppressed: 0, counted: 0, unknown: 0 };
  for (const event of events) {
    const subscriber = await deps.store.findSubscriber(event.email);
    if (!subscriber) {
      summary.unknown++;
      continue;
    }
    if (subscriber.status === 'bounced' || subscriber.status === 'complained') continue;
    let status: 'bounced' | 'complained' | undefined;
    if (event.kind === 'complaint') status = 'complained';
    else if (event.kind === 'permanent-bounce') status = 'bounced';
    else {
      // Counted per notice time: a replayed notice (same time) is not counted twice.
      const seen = JSON.parse((await deps.store.getMemo(softBounceKey(subscriber.id))) ?? '[]') as string[];
      if (!seen.includes(event.at)) seen.push(event.at);
      await deps.store.putMemo(softBounceKey(subscriber.id), JSON.stringify(seen.slice(-deps.transientLimit)));
      if (seen.length < deps.transientLimit) {
        summary.counted++;
        continue;
      }
      status = 'bounced';
    }
    await deps.store.setSubscriberStatus(subscriber.id, status, event.at);
    summary.suppressed++;
    deps.log?.(`suppressed a subscriber: ${event.kind}`, { subscriberId: subscriber.id, issue: event.issue });
  }
  return summary;
}
