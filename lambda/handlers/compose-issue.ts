/**
 * Lambda, on the EventBridge Scheduler cron: compose the next issue once and enqueue its recipients. The
 * event `{"source":"pinboard-digest.smoke"}` (`pinboard-digest smoke`) composes it read-only instead and says
 * what would go out: nothing stored, enqueued or published.
 */
import { RECIPIENTS_PER_MESSAGE } from '../core/fleet';
import { LAMBDA_ENV } from '../env';
import { composeWithoutStoring, describeSmokeCompose, isSmokeEvent, type SmokeCompose } from '../jobs/operate-smoke';
import { produceIssue } from '../jobs/produce-issue';
import { METRICS } from '../metrics';
import { composeDeps, siteDeps } from '../wiring';
import { logger, metrics, runtimeOnce } from './runtime';

const runtime = runtimeOnce();

/** The schedule's fixed input carries nothing the job needs; a smoke event asks for the read-only compose. */
export async function handler(
  event?: unknown,
): Promise<{ outcome: string; issue?: number; recipients?: number } | SmokeCompose> {
  const { app, queue, site, metricsNamespace } = await runtime();
  if (isSmokeEvent(event)) {
    const answer = await composeWithoutStoring(await composeDeps(app), new Date());
    logger.info(`smoke: ${describeSmokeCompose(answer)}`);
    return answer;
  }
  if (!site) logger.warn(`${LAMBDA_ENV.siteBucket} is not set: no archive page is written (deploy the stacks again)`);
  const outcome = await produceIssue({
    compose: await composeDeps(app),
    // The issue's page and the feeds go to the site bucket before its first batch is enqueued.
    site: site ? await siteDeps(app, { bucket: site.bucket }, site.templates) : undefined,
    store: app.store,
    queue,
    recipientsPerMessage: RECIPIENTS_PER_MESSAGE,
    now: () => new Date(),
    log: (line) => logger.info(line),
  });
  for (const w of 'warnings' in outcome ? outcome.warnings : []) logger.warn(w);
  switch (outcome.kind) {
    case 'enqueued':
      if (outcome.report) {
        // What went in and what was left out (dead links among it), for the author reading the logs.
        logger.info(`issue #${outcome.record.issue} composed`, {
          issue: outcome.record.issue,
          report: outcome.report,
          deadLinks: outcome.record.model.deadLinks,
        });
      }
      metrics(metricsNamespace, { [METRICS.enqueued]: outcome.recipients });
      logger.info(`issue #${outcome.record.issue} enqueued`, {
        issue: outcome.record.issue,
        composed: outcome.composed,
        recipients: outcome.recipients,
        batches: outcome.batches,
        alreadyDone: outcome.alreadyDone,
      });
      return { outcome: outcome.kind, issue: outcome.record.issue, recipients: outcome.recipients };
    case 'busy':
      logger.info(`issue #${outcome.record.issue} is still going out`, {
        issue: outcome.record.issue,
        pending: outcome.pending,
      });
      return { outcome: outcome.kind, issue: outcome.record.issue };
    case 'no-subscribers':
      logger.warn('no active subscribers: nothing composed, state unchanged');
      return { outcome: outcome.kind };
    case 'nothing':
      logger.info(`nothing to send: ${outcome.reason}`);
      return { outcome: outcome.kind };
  }
}
