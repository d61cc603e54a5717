/**
 * The author adding readers by hand (the CLI's `subscribers add`), under the rules the readers' own doors
 * keep (jobs/subscription.ts): leaving is `unsubscribeAddress` there, for the author as for a reader.
 *
 * addActive (`add --confirmed`, for a reader who said yes elsewhere): a new address is added active; one that
 *   left (unsubscribed) or never confirmed (pending) is made active again; a bounced or complained one is not:
 *   SES reported it, and only the reader's own confirmation brings it back.
 * invite (`add`): a new address is added pending and mailed a confirmation link, as is one on the list that is
 *   not active (a confirmation is how a suppressed address comes back); an active one is left alone. At most
 *   one confirmation a day goes to an address (requestConfirmation), and the author's adds count against no
 *   sign-up limit.
 */
import type { Subscriber, SubscriberStatus } from '../core/model';
import type { Store } from '../ports/store';
import { requestConfirmation, type SubscriptionDeps } from './subscription';
import { serialized } from './subscription-limits';

export interface NewReader {
  email: string;
  name?: string;
}

interface Clock {
  /** ms since the epoch; tests pass a clock. */
  now?: () => number;
}

const isSuppressed = (s: Subscriber) => s.status === 'bounced' || s.status === 'complained';

const nowIso = (deps: Clock) => new Date(deps.now?.() ?? Date.now()).toISOString();

export type AddActiveOutcome =
  | { kind: 'added'; subscriber: Subscriber }
  | { kind: 'already-active'; subscriber: Subscriber }
  | { kind: 'reactivated'; subscriber: Subscriber; was: SubscriberStatus }
  /** Bounced or complained: not re-activated (see the file comment). */
  | { kind: 'suppressed'; subscriber: Subscriber };

/** `subscribers add --confirmed` (see the file comment). */
export async function addActive(
  reader: NewReader,
  deps: Clock & { store: Pick<Store, 'addSubscriber' | 'setSubscriberStatus'> },
): Promise<AddActiveOutcome> {
  const at = nowIso(deps);
  return serialized(deps.store, async (): Promise<AddActiveOutcome> => {
    const { subscriber, created } = await deps.store.addSubscriber({ ...reader, status: 'active' }, at);
    if (created) return { kind: 'added', subscriber };
    if (subscriber.status === 'active') return { kind: 'already-active', subscriber };
    if (isSuppressed(subscriber)) return { kind: 'suppressed', subscriber };
    const updated = await deps.store.setSubscriberStatus(subscriber.id, 'active', at);
    return { kind: 'reactivated', subscriber: updated ?? { ...subscriber, status: 'active' }, was: subscriber.status };
  });
}

export type InviteOutcome =
  | { kind: 'already-active'; subscriber: Subscriber }
  /**
   * `sent`: a confirmation went out now; `recently-sent`: one went out within the last day, not again.
   * `status`: the address's status until the link is opened (`pending` for a new one).
   */
  | { kind: 'sent' | 'recently-sent'; subscriber: Subscriber; status: SubscriberStatus };

export interface InviteDeps extends Clock {
  store: Pick<Store, 'addSubscriber'>;
  /** What mailing a confirmation takes; made only when one may go out (it compiles the confirm templates). */
  confirmations: () => Promise<SubscriptionDeps>;
}

/** `subscribers add` (see the file comment). Throws DeliveryError when the transport refuses the mail. */
export async function invite(reader: NewReader, deps: InviteDeps): Promise<InviteOutcome> {
  const { subscriber, created } = await serialized(deps.store, () =>
    deps.store.addSubscriber({ ...reader, status: 'pending' }, nowIso(deps)),
  );
  if (!created && subscriber.status === 'active') return { kind: 'already-active', subscriber };
  const result = await requestConfirmation(subscriber, await deps.confirmations(), false);
  return { kind: result === 'recently-sent' ? 'recently-sent' : 'sent', subscriber, status: subscriber.status };
}
