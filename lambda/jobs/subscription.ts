/**
 * Joining and leaving the list: double opt-in and one-click unsubscribe, the use cases behind the HTTP handler
 * (`serve` and the subscription-api function) and the CLI's `subscribers add|remove|unsubscribe`
 * (jobs/subscriber-admin.ts for the author's additions).
 *
 * subscribe(email, ip):
 *   1. refuse an address that is not one (syntax, ≤ 254 octets, no control or invisible characters: see
 *      core/email.ts, which also gives an international domain its one stored spelling);
 *   2. count the request against the IP's hourly limit → `limited`;
 *   3. add the address as pending, or find it as it is (active, pending, unsubscribed, suppressed: unchanged);
 *   4. count the request against the address's daily limit → `limited`;
 *   5. unless a confirmation went to it in the last day, send one (a 7-day confirm token) → `accepted`.
 *   Every step but 1 answers the same whatever the address's state, so the answer never tells who is subscribed.
 * confirm(token): a genuine, unexpired confirm token activates its subscriber, unless the subscriber left or
 *   was suppressed after the token was made (a later unsubscribe or bounce wins over an old link). The HTTP
 *   handler runs it on POST only; a GET (a person, or a mail scanner that follows every link) gets
 *   inspectConfirm, which judges the token the same way and changes nothing.
 * unsubscribe(token), unsubscribeAddress(email): a genuine unsubscribe token, or an address the author names,
 *   marks its subscriber unsubscribed, idempotently; one who left already or is suppressed stays as they are.
 */
import { checkEmail, maskAddressesIn, normalizeEmail } from '../core/email';
import { DeliveryError } from '../core/errors';
import type { ReaderPrefs, Subscriber } from '../core/model';
import { siteBase } from '../core/site-url';
import { checkToken, createToken } from '../core/tokens';
import type { Mailer } from '../ports/mailer';
import { readMemo, writeMemo } from '../ports/memo';
import { type AddressMemo, SIGNUP_ADDRESS } from '../ports/memo-kinds';
import type { Store } from '../ports/store';
import { type BuildConfirmation, CONFIRM_DAYS } from '../render/confirm-message';
import { countIpRequest, DAY_SECONDS, hit, serialized } from './subscription-limits';

export interface SubscriptionLimits {
  perIpPerHour: number;
  perAddressPerDay: number;
}

export interface SubscriptionDeps {
  store: Store;
  mailer: Mailer;
  /** The signing secret: one key, or several (the first signs). */
  secret: string;
  /** The public base of the links mailed (`siteUrl`, or `serve`'s own address). */
  siteUrl: string;
  buildConfirmation: BuildConfirmation;
  limits: SubscriptionLimits;
  /** ms since the epoch; tests pass a clock. */
  now?: () => number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export type SubscribeOutcome =
  | { kind: 'accepted' }
  /** `character`: the invisible or control character the input holds (`U+200B`), when that is why. */
  | { kind: 'invalid-address'; character?: string }
  | { kind: 'limited'; retryAfter: number }
  /** The confirmation could not be handed to the transport; nothing was recorded, so trying later works. */
  | { kind: 'unavailable'; retryAfter: number };

export type ConfirmOutcome =
  | { kind: 'confirmed'; subscriber: Subscriber }
  /** The subscriber was active already: nothing changed. */
  | { kind: 'already-confirmed'; subscriber: Subscriber }
  | { kind: 'invalid' }
  | { kind: 'expired' }
  /** The subscriber left or was suppressed after this link was made: they sign up again for a fresh one. */
  | { kind: 'superseded' };

export type UnsubscribeOutcome = { kind: 'unsubscribed'; subscriber?: Subscriber } | { kind: 'invalid' };

/** The address as stored, or undefined when the input is not one usable address. */
export const signupAddress = (input: string): string | undefined => normalizeEmail(input);

export function confirmUrl(siteUrl: string, token: string): string {
  return `${siteBase(siteUrl)}/confirm?token=${encodeURIComponent(token)}`;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export type ConfirmationResult = 'sent' | 'recently-sent';

type Decision = { retryAfter: number } | { send: boolean; previous?: number };

/**
 * Counts the request against the address's daily limit (with `countRequest`) and decides whether a confirmation
 * goes out (none did in the last day), marking it sent. Run inside `serialized`: it reads and writes a memo.
 */
async function decideConfirmation(
  subscriber: Subscriber,
  deps: SubscriptionDeps,
  countRequest: boolean,
  now: number,
): Promise<Decision> {
  const memo = await readAddressMemo(deps, subscriber.id);
  let window = memo.window;
  if (countRequest) {
    const counted = hit(memo.window, now, DAY_SECONDS, deps.limits.perAddressPerDay);
    if (counted.retryAfter !== undefined) return { retryAfter: counted.retryAfter };
    window = counted.window;
  }
  const send = memo.lastConfirmation === undefined || now - memo.lastConfirmation >= DAY_SECONDS;
  const lastConfirmation = send ? now : memo.lastConfirmation;
  await writeAddressMemo(deps, subscriber.id, { window, lastConfirmation });
  return { send, previous: memo.lastConfirmation };
}

/** An address's sign-up memo; an unreadable one is none (its day starts over). */
async function readAddressMemo(deps: SubscriptionDeps, subscriberId: string): Promise<AddressMemo> {
  return (await readMemo(deps.store, SIGNUP_ADDRESS, subscriberId)) ?? {};
}

/** Written with an expiry: of no use a day after both its window and its last confirmation (a day's margin). */
function writeAddressMemo(deps: SubscriptionDeps, subscriberId: string, memo: AddressMemo): Promise<void> {
  const expiresAt = Math.max(memo.window?.start ?? 0, memo.lastConfirmation ?? 0) + 2 * DAY_SECONDS;
  return writeMemo(deps.store, SIGNUP_ADDRESS, subscriberId, memo, expiresAt);
}

/**
 * Builds and sends the confirmation decided on. Throws DeliveryError when the transport refuses; the day's
 * "sent" mark is then taken back, so a later request sends.
 */
async function sendConfirmation(
  subscriber: Subscriber,
  deps: SubscriptionDeps,
  nowMs: number,
  previous: number | undefined,
): Promise<void> {
  const token = createToken(deps.secret, 'confirm', subscriber.id, nowMs + CONFIRM_DAYS * DAY_SECONDS * 1000);
  try {
    const message = await deps.buildConfirmation({
      subscriber,
      confirmUrl: confirmUrl(deps.siteUrl, token),
      alreadyActive: subscriber.status === 'active',
      date: new Date(nowMs),
    });
    await deps.mailer.send(message);
  } catch (error) {
    await serialized(deps.store, async () => {
      const memo = await readAddressMemo(deps, subscriber.id);
      if (memo.lastConfirmation === seconds(nowMs)) {
        await writeAddressMemo(deps, subscriber.id, { window: memo.window, lastConfirmation: previous });
      }
    });
    throw error;
  }
}

/**
 * Sends `subscriber` a confirmation unless one went out in the last day (the CLI's `subscribers add`). With
 * `countRequest`, the request also counts against the address's daily limit. Throws DeliveryError when the
 * transport refuses.
 */
export async function requestConfirmation(
  subscriber: Subscriber,
  deps: SubscriptionDeps,
  countRequest: boolean,
): Promise<ConfirmationResult | { retryAfter: number }> {
  const nowMs = deps.now?.() ?? Date.now();
  const decision = await serialized(deps.store, () =>
    decideConfirmation(subscriber, deps, countRequest, seconds(nowMs)),
  );
  if ('retryAfter' in decision) return decision;
  if (!decision.send) return 'recently-sent';
  await sendConfirmation(subscriber, deps, nowMs, decision.previous);
  return 'sent';
}

/** A sign-up request from the web (see the file comment for the steps). */
export async function subscribe(
  input: { email: string; ip?: string; prefs?: ReaderPrefs },
  deps: SubscriptionDeps,
): Promise<SubscribeOutcome> {
  const checked = checkEmail(input.email);
  if (!checked.ok) {
    return { kind: 'invalid-address', ...(checked.reason === 'invisible' ? { character: checked.character } : {}) };
  }
  const { email } = checked;
  const nowMs = deps.now?.() ?? Date.now();
  const now = seconds(nowMs);
  // Every state change of a request in one serialized step; the (slow) sending after it, outside.
  type Step = { retryAfter: number } | { subscriber: Subscriber; decision: Decision };
  const step = await serialized(deps.store, async (): Promise<Step> => {
    if (input.ip) {
      const { retryAfter } = await countIpRequest(deps.store, deps.secret, input.ip, deps.limits.perIpPerHour, now);
      if (retryAfter !== undefined) return { retryAfter };
    }
    // The form's choices go with a new address only: one already on the list keeps its own (nobody else's
    // sign-up of it can change what its reader chose).
    const { subscriber } = await deps.store.addSubscriber(
      { email, status: 'pending', ...(input.prefs ? { prefs: input.prefs } : {}) },
      new Date(nowMs).toISOString(),
    );
    return { subscriber, decision: await decideConfirmation(subscriber, deps, true, now) };
  });
  if ('retryAfter' in step) return { kind: 'limited', retryAfter: step.retryAfter };
  const { subscriber, decision } = step;
  if ('retryAfter' in decision) return { kind: 'limited', retryAfter: decision.retryAfter };
  if (!decision.send) return { kind: 'accepted' };
  try {
    await sendConfirmation(subscriber, deps, nowMs, decision.previous);
    return { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    deps.log?.('confirmation not sent', {
      subscriberId: subscriber.id,
      failure: error.failure,
      error: maskAddressesIn(error.message),
    });
    return { kind: 'unavailable', retryAfter: 60 };
  }
}

type ConfirmDeps = Pick<SubscriptionDeps, 'store' | 'secret' | 'now'>;

/**
 * What a confirm link would do now, changing nothing: `confirmed` means it would activate `subscriber`.
 * Run inside `serialized` when the answer is acted on.
 */
async function judgeConfirm(token: string, deps: ConfirmDeps, nowMs: number): Promise<ConfirmOutcome> {
  const check = checkToken(deps.secret, 'confirm', token, nowMs);
  if (!check.valid) return { kind: check.reason === 'expired' ? 'expired' : 'invalid' };
  const { expiresAt, subject } = check;
  const subscriber = await deps.store.getSubscriber(subject);
  if (!subscriber) return { kind: 'invalid' };
  if (subscriber.status === 'active') return { kind: 'already-confirmed', subscriber };
  if (subscriber.status !== 'pending' && expiresAt !== undefined) {
    const madeAt = seconds(expiresAt) - CONFIRM_DAYS * DAY_SECONDS;
    if (seconds(Date.parse(subscriber.updatedAt)) > madeAt) return { kind: 'superseded' };
  }
  return { kind: 'confirmed', subscriber };
}

/** What the confirm link names and would do, without changing anything (the page a GET or HEAD shows). */
export function inspectConfirm(token: string, deps: ConfirmDeps): Promise<ConfirmOutcome> {
  return judgeConfirm(token, deps, deps.now?.() ?? Date.now());
}

/** Activates the subscriber a confirm link names (see the file comment). */
export async function confirm(token: string, deps: ConfirmDeps): Promise<ConfirmOutcome> {
  const nowMs = deps.now?.() ?? Date.now();
  return serialized(deps.store, async (): Promise<ConfirmOutcome> => {
    const judged = await judgeConfirm(token, deps, nowMs);
    if (judged.kind !== 'confirmed') return judged;
    const { subscriber } = judged;
    const updated = await deps.store.setSubscriberStatus(subscriber.id, 'active', new Date(nowMs).toISOString());
    return { kind: 'confirmed', subscriber: updated ?? { ...subscriber, status: 'active' } };
  });
}

/** The subscriber an unsubscribe link names, without changing anything (the page a GET shows). */
export async function inspectUnsubscribe(
  token: string,
  deps: Pick<SubscriptionDeps, 'store' | 'secret' | 'now'>,
): Promise<{ kind: 'valid'; subscriber?: Subscriber } | { kind: 'invalid' }> {
  const check = checkToken(deps.secret, 'unsubscribe', token, deps.now?.() ?? Date.now());
  if (!check.valid) return { kind: 'invalid' };
  return { kind: 'valid', subscriber: await deps.store.getSubscriber(check.subject) };
}

/** What leaving did: `left` when the reader was active or pending and is now unsubscribed. */
export type LeaveOutcome =
  | { kind: 'left'; subscriber: Subscriber }
  /** Unsubscribed, bounced or complained already: left as it is (a suppression SES reported stays one). */
  | { kind: 'unchanged'; subscriber: Subscriber }
  | { kind: 'not-on-list' };

type LeaveStore = Pick<Store, 'setSubscriberStatus'>;

/**
 * The one rule of leaving, whichever door it comes through (the link, a reply, `subscribers remove` or
 * `unsubscribe`): an active or pending reader becomes unsubscribed; anyone else keeps their status and its
 * time (issue-history.ts counts a leaving against the issue before it). Run inside `serialized`.
 */
async function leave(store: LeaveStore, subscriber: Subscriber | undefined, nowMs: number): Promise<LeaveOutcome> {
  if (!subscriber) return { kind: 'not-on-list' };
  if (subscriber.status !== 'active' && subscriber.status !== 'pending') return { kind: 'unchanged', subscriber };
  const updated = await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date(nowMs).toISOString());
  return { kind: 'left', subscriber: updated ?? subscriber };
}

/** Marks the subscriber an unsubscribe link names as unsubscribed; again and again, harmlessly. */
export async function unsubscribe(
  token: string,
  deps: Pick<SubscriptionDeps, 'secret' | 'now'> & { store: Pick<Store, 'getSubscriber'> & LeaveStore },
): Promise<UnsubscribeOutcome> {
  const nowMs = deps.now?.() ?? Date.now();
  const check = checkToken(deps.secret, 'unsubscribe', token, nowMs);
  if (!check.valid) return { kind: 'invalid' };
  const { subject } = check;
  const left = await serialized(deps.store, async () =>
    leave(deps.store, await deps.store.getSubscriber(subject), nowMs),
  );
  return left.kind === 'not-on-list' ? { kind: 'unsubscribed' } : { kind: 'unsubscribed', subscriber: left.subscriber };
}

/**
 * Unsubscribes an address the author names (`subscribers remove` and `subscribers unsubscribe EMAIL`): the
 * same rule as the link, so a bounced or complained address stays suppressed.
 */
export async function unsubscribeAddress(
  email: string,
  deps: Pick<SubscriptionDeps, 'now'> & { store: Pick<Store, 'findSubscriber'> & LeaveStore },
): Promise<LeaveOutcome> {
  const nowMs = deps.now?.() ?? Date.now();
  return serialized(deps.store, async () => leave(deps.store, await deps.store.findSubscriber(email), nowMs));
}

/**
 * The token in what an author pastes from an unsubscribe reply: the bare token, the reply's subject
 * (`unsubscribe TOKEN`, or `Re: unsubscribe%20TOKEN`), or the whole unsubscribe link.
 */
export function tokenFrom(input: string): string {
  let text = input.trim();
  const query = /[?&]token=([^&\s#]+)/.exec(text);
  if (query?.[1]) text = query[1];
  try {
    text = decodeURIComponent(text);
  } catch {
    // not percent-encoded after all: keep it as it is
  }
  return text.replace(/^(?:(?:re|aw|fwd?):\s*)*unsubscribe\s+/i, '').trim();
}
