/**
 * The subscription handler built from the same `App` the CLI and the functions use: store, mailer, signing
 * secret and config from the composition root, plus the confirmation email's compiled templates. `serve` and
 * the subscription-api function each call this once.
 */

import { offeredSections } from '../core/prefs';
import { latestSentIssue } from '../jobs/issue-history';
import type { SubscriptionDeps } from '../jobs/subscription';
import type { ReviewActions } from '../ports/review';
import { createConfirmationBuilder } from '../render/confirm-message';
import type { CompiledTemplates } from '../render/templates';
import { type App, reviewActions } from '../wiring';
import { createSubscriptionHandler, type SubscriptionHandler } from './handler';
import { createReviewRoutes, type ReviewRoutes } from './review-routes';

export interface SubscriptionAppOptions {
  /** The public base of links when it is not `siteUrl` (`serve` on a laptop uses its own address). */
  siteUrl?: string;
  log?: SubscriptionDeps['log'];
  now?: () => number;
  /** Where the review pages' buttons act (AWS: the compose-issue function); default: in this process. */
  review?: ReviewActions;
}

export function subscriptionDeps(
  app: App,
  confirmTemplates: CompiledTemplates,
  options: SubscriptionAppOptions = {},
): SubscriptionDeps {
  const { config } = app;
  const siteUrl = options.siteUrl ?? config.siteUrl;
  const message = app.message();
  return {
    store: app.store,
    mailer: app.mailer(),
    secret: message.secret,
    siteUrl,
    buildConfirmation: createConfirmationBuilder(confirmTemplates, {
      title: config.title,
      intro: config.intro,
      lang: config.lang,
      siteUrl,
      message,
    }),
    limits: config.subscriptions,
    ...(options.now ? { now: options.now } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}

/** The review pages (config `review`) over `actions` (default: in this process). */
function reviewRoutes(app: App, actions: ReviewActions | undefined): ReviewRoutes | undefined {
  const review = app.config.review;
  if (!review) return undefined;
  const link = { store: app.store, secret: app.message().secret, settings: review, now: () => new Date() };
  return createReviewRoutes(link, actions ?? reviewActions(app), { lang: app.config.lang, title: app.config.title });
}

export function subscriptionHandler(
  app: App,
  confirmTemplates: CompiledTemplates,
  options: SubscriptionAppOptions = {},
): SubscriptionHandler {
  return createSubscriptionHandler(
    subscriptionDeps(app, confirmTemplates, options),
    {
      title: app.config.title,
      intro: app.config.intro,
      lang: app.config.lang,
      latestIssue: () => latestSentIssue(app.store),
      sections: offeredSections(app.config),
      timeZone: app.config.schedule?.timezone ?? 'UTC',
    },
    reviewRoutes(app, options.review),
  );
}
