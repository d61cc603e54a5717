/**
 * Lambda: SES notifications from SNS. Bounces and complaints suppress those addresses; mail received by the
 * optional receipt rule (a reply to the List-Unsubscribe mailto) unsubscribes by the token in its subject.
 */
import type { SNSEvent } from 'aws-lambda';
import { type NoteReply, parseSesNotification, type SesEvent, type UnsubscribeReply } from '../core/ses-events';
import { recordSesEvents, type SesEventsSummary } from '../jobs/record-ses-events';
import { reviewActions } from '../wiring';
import { logger, runtimeOnce } from './runtime';

// With SES reading unsubscribe replies, the signing key checks their tokens; else no secret is read here.
const runtime = runtimeOnce((config) => (config.subscriptions.receiveReplies ? 'signing' : false));

export async function handler(event: SNSEvent): Promise<SesEventsSummary & { malformed: number; ignored: number }> {
  const { app } = await runtime();
  const review = app.config.review;
  const events: (SesEvent | UnsubscribeReply | NoteReply)[] = [];
  let malformed = 0;
  // Notices no rule acts on (deliveries, sends, `pinboard-digest smoke`'s): counted and logged, nothing else.
  let ignored = 0;
  for (const record of event.Records ?? []) {
    try {
      const parsed = parseSesNotification(record.Sns.Message);
      if (parsed.length === 0) {
        ignored++;
        logger.info('SES notice ignored: it changes nothing', { messageId: record.Sns?.MessageId });
      }
      events.push(...parsed);
    } catch (error) {
      // Retrying cannot fix it: log and go on with the rest.
      malformed++;
      logger.error('not an SES notification', { messageId: record.Sns?.MessageId, error: (error as Error).message });
    }
  }
  const summary = await recordSesEvents(events, {
    store: app.store,
    transientLimit: app.config.bounces.transientLimit,
    // Only then was the signing key read (and may be): without it, bounces and complaints need none.
    secret: app.config.subscriptions.receiveReplies ? app.message().secret : undefined,
    log: (line, fields) => logger.info(line, fields ?? {}),
    // The reply door of the review: a note set through compose-issue (wiring.ts reviewActions).
    ...(review && app.config.subscriptions.receiveReplies
      ? { review: { to: review.to, actions: reviewActions(app) } }
      : {}),
  });
  logger.info('SES events recorded', { ...summary, malformed, ignored });
  return { ...summary, malformed, ignored };
}
