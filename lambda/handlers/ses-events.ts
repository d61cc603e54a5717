/** Lambda: SES bounce and complaint notifications from SNS → suppress those addresses. */
import type { SNSEvent } from 'aws-lambda';
import { parseSesNotification, type SesEvent } from '../core/ses-events';
import { recordSesEvents, type SesEventsSummary } from '../jobs/record-ses-events';
import { logger, runtimeOnce } from './runtime';

const runtime = runtimeOnce(false);

export async function handler(event: SNSEvent): Promise<SesEventsSummary & { malformed: number }> {
  const { app } = await runtime();
  const events: SesEvent[] = [];
  let malformed = 0;
  for (const record of event.Records ?? []) {
    try {
      events.push(...parseSesNotification(record.Sns.Message));
    } catch (error) {
      // Retrying cannot fix it: log and go on with the rest.
      malformed++;
      logger.error('not an SES notification', { messageId: record.Sns?.MessageId, error: (error as Error).message });
    }
  }
  const summary = await recordSesEvents(events, {
    store: app.store,
    transientLimit: app.config.bounces.transientLimit,
    log: (line, fields) => logger.info(line, fields ?? {}),
  });
  logger.info('SES events recorded', { ...summary, malformed });
  return { ...summary, malformed };
}
