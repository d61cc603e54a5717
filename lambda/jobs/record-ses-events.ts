/** Takes bouncing and complaining addresses off the list, as SES reports them; acts on unsubscribe replies. */
import { normalizeEmail } from '../core/email';
import type { NoteReply, SesEvent, UnsubscribeReply } from '../core/ses-events';
import { readMemo, writeMemo } from '../ports/memo';
import { SOFT_BOUNCES } from '../ports/memo-kinds';
import type { ReviewActions } from '../ports/review';
import type { Memos, SubscriberStore } from '../ports/store';
import { tokenFrom, unsubscribe } from './subscription';

export interface SesEventsSummary {
  suppressed: number;
  /** Transient bounces counted but not (yet) past the limit. */
  counted: number;
  /** Addresses that are not (or no longer) on the list. */
  unknown: number;
  /** Replies to the unsubscribe mailto whose token unsubscribed someone (or found them gone already). */
  unsubscribed: number;
  /** Replies with no valid unsubscribe token in the subject (forged, mangled, or mail sent to the address). */
  invalidReplies: number;
  /** The author's replies to a preflight that set the draft's note. */
  notes: number;
  /** Replies to a preflight refused: another sender, a failed SPF or DKIM verdict, a virus, a bad token, no review. */
  refusedNotes: number;
}

export interface SesEventsDeps {
  store: Pick<SubscriberStore, 'findSubscriber' | 'getSubscriber' | 'setSubscriberStatus'> & Memos;
  /** The signing key: unsubscribe replies are acted on only with it (their token is checked). */
  secret?: string;
  /** Transient bounces after which an address is suppressed. */
  transientLimit: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
  /** Config `review` with the reply door: the review address, and where a note is set (compose-issue on AWS). */
  review?: { to: string; actions: ReviewActions };
}

/**
 * Inputs: events parsed from SES notifications. Output: counts.
 * 1. Find the subscriber by address; unknown addresses are counted and left alone.
 * 2. A permanent bounce → `bounced`, a complaint → `complained`, at once: every later issue skips them.
 * 3. A transient bounce adds one to the subscriber's count; at `transientLimit` → `bounced`.
 * Replaying the same notice (SNS delivers at least once) suppresses nobody twice and changes nothing else
 * once the address is suppressed.
 */
export async function recordSesEvents(
  events: (SesEvent | UnsubscribeReply | NoteReply)[],
  deps: SesEventsDeps,
): Promise<SesEventsSummary> {
  const summary: SesEventsSummary = {
    suppressed: 0,
    counted: 0,
    unknown: 0,
    unsubscribed: 0,
    invalidReplies: 0,
    notes: 0,
    refusedNotes: 0,
  };
  for (const event of events) {
    if (event.kind === 'note-reply') {
      await noteByReply(event, deps, summary);
      continue;
    }
    if (event.kind === 'unsubscribe-reply') {
      await unsubscribeByReply(event, deps, summary);
      continue;
    }
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
      // Counted per notice time: a replayed notice (same time) is not counted twice. A memo that is no list of
      // times is refused (ports/memo-kinds.ts), not read as none: that would forget the bounces counted.
      const seen = (await readMemo(deps.store, SOFT_BOUNCES, subscriber.id)) ?? [];
      if (!seen.includes(event.at)) seen.push(event.at);
      await writeMemo(deps.store, SOFT_BOUNCES, subscriber.id, seen.slice(-deps.transientLimit));
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

/**
 * A reply to the mailto door: the token in its subject (as the List-Unsubscribe mailto set it) unsubscribes,
 * exactly as the one-click POST does; who sent the reply does not matter, the signed token does. A reply
 * without a valid token changes nothing (and its subject, which may hold anything, is not logged).
 */
async function unsubscribeByReply(reply: UnsubscribeReply, deps: SesEventsDeps, summary: SesEventsSummary) {
  if (reply.virus || !deps.secret) {
    summary.invalidReplies++;
    deps.log?.(reply.virus ? 'unsubscribe reply dropped: SES found a virus' : 'unsubscribe reply: no signing key');
    return;
  }
  const outcome = await unsubscribe(tokenFrom(reply.subject), {
    store: deps.store,
    secret: deps.secret,
    now: () => Date.parse(reply.at) || Date.now(),
  });
  if (outcome.kind === 'invalid') {
    summary.invalidReplies++;
    deps.log?.('unsubscribe reply without a valid token: nothing changed');
    return;
  }
  summary.unsubscribed++;
  deps.log?.('unsubscribed by reply', { subscriberId: outcome.subscriber?.id });
}

/**
 * The author's reply to a preflight (config `review`, with SES receiving at the reply address): the text above
 * the quote becomes the draft's note, as the note page's button would set it. Only from the review address,
 * only with SES's SPF and DKIM verdicts both PASS, only with a live note token in the subject (the token is the
 * authority; the sender checks keep a forwarded preflight from being used by someone else). Nothing of the
 * reply is logged but why it was refused.
 */
async function noteByReply(reply: NoteReply, deps: SesEventsDeps, summary: SesEventsSummary) {
  const refuse = (why: string) => {
    summary.refusedNotes++;
    deps.log?.(`reply to a preflight refused: ${why}; nothing changed`);
  };
  if (!deps.review) return refuse('the config has no review');
  if (reply.virus) return refuse('SES found a virus');
  if (normalizeEmail(reply.from) !== normalizeEmail(deps.review.to)) return refuse('not from the review address');
  if (reply.spf !== 'PASS' || reply.dkim !== 'PASS') return refuse(`SPF ${reply.spf}, DKIM ${reply.dkim}`);
  if (reply.text === '') return refuse('no text above the quoted message');
  const answer = await deps.review.actions.act({ purpose: 'note', token: reply.token, note: reply.text, by: 'reply' });
  if (answer.kind === 'done') {
    summary.notes++;
    deps.log?.('note of the day set by reply', { issue: answer.draft.issue });
  } else refuse(answer.kind === 'refused' ? `the token: ${answer.reason}` : answer.message);
}
