/**
 * Lambda, on the EventBridge Scheduler cron: compose the next issue once and enqueue its recipients. The
 * event `{"source":"pinboard-digest.smoke"}` (`pinboard-digest smoke`) composes it read-only instead and says
 * what would go out: nothing stored, enqueued or published. With config `review`, the cron tick is the
 * deadline (the draft goes out if the review lets it), and `{"source":"pinboard-digest.draft"}` (the draft
 * schedule, `review.leadHours` ahead) composes the draft and mails its preflight.
 */
import { RECIPIENTS_PER_MESSAGE } from '../core/fleet';
import { COMPOSE_EVENTS, type ReviewAnswer, type ReviewRequest } from '../core/review';
import { LAMBDA_ENV } from '../env';
import { composeWithoutStoring, describeSmokeCompose, isSmokeEvent, type SmokeCompose } from '../jobs/operate-smoke';
import { produceIssue } from '../jobs/produce-issue';
import { composeDraft, type ReviewDeps } from '../jobs/review';
import { actOnReviewLink } from '../jobs/review-links';
import { METRICS } from '../metrics';
import { composeDeps, reviewDeps, siteDeps } from '../wiring';
import { logger, metrics, type Runtime, runtimeOnce } from './runtime';

const runtime = runtimeOnce();

const sourceOf = (event: unknown) =>
  typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;

type Answer = { outcome: string; issue?: number; recipients?: number } | SmokeCompose | ReviewAnswer;

/**
 * The schedule's fixed input carries nothing the job needs (it is the deadline); a smoke event asks for the
 * read-only compose; with review, the draft schedule's event drafts and a review event (a page's button, a
 * reply) acts on the draft.
 */
export async function handler(event?: unknown): Promise<Answer> {
  const rt = await runtime();
  const { app } = rt;
  if (isSmokeEvent(event)) {
    const answer = await composeWithoutStoring(await composeDeps(app), new Date());
    logger.info(`smoke: ${describeSmokeCompose(answer)}`);
    return answer;
  }
  const source = sourceOf(event);
  if (source === COMPOSE_EVENTS.draft || source === COMPOSE_EVENTS.review) {
    const review = await reviewDeps(app);
    if (!review) {
      logger.warn(`a ${source} event, but the config has no review: nothing done`);
      return { outcome: 'no-review' };
    }
    const deps: ReviewDeps = { ...review, log: (line) => logger.info(line) };
    if (source === COMPOSE_EVENTS.draft) return draftTick(deps);
    const request = (event as { request?: ReviewRequest }).request;
    if (!request || typeof request.token !== 'string' || !['approve', 'hold', 'note'].includes(request.purpose)) {
      logger.warn('a review event without a review request: nothing done');
      return { kind: 'refused', reason: 'malformed' };
    }
    const answer = await actOnReviewLink(deps, request);
    logger.info(`review: ${request.purpose} by ${request.by}: ${answer.kind}`, {
      ...(answer.kind === 'refused'
        ? { reason: answer.reason }
        : { issue: answer.draft.issue, state: answer.draft.state }),
    });
    return answer;
  }
  return deadline(rt);
}

/** The draft schedule's tick (every hour): the draft once the send is `leadHours` away. */
async function draftTick(deps: ReviewDeps): Promise<Answer> {
  const drafted = await composeDraft(deps, 'schedule', { withinLead: true });
  logger.info(`draft: ${drafted.kind}`, {
    ...(drafted.kind === 'drafted' || drafted.kind === 'exists'
      ? { issue: drafted.draft.issue, state: drafted.draft.state }
      : {}),
    ...(drafted.kind === 'nothing' ? { reason: drafted.reason } : {}),
  });
  return {
    outcome: `draft-${drafted.kind}`,
    ...(drafted.kind === 'drafted' || drafted.kind === 'exists' ? { issue: drafted.draft.issue } : {}),
  };
}

/** The schedule's tick: compose (or, with review, take the draft) and enqueue. */
async function deadline({ app, queue, site, metricsNamespace }: Runtime): Promise<Answer> {
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
    ...(app.config.review ? { review: { mode: app.config.review.mode } } : {}),
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
