/**
 * The subscription handler built from the same `App` the CLI and the functions use: store, mailer, signing
 * secret and config from the composition root, plus the confirmation email's compiled templates. `serve` and
 * the subscription-api function each call this once.
 */

import { latestSentIssue } from '../jobs/issue-history';
import type { SubscriptionDeps } from '../jobs/subscription';
import { createConfirmationBuilder } from '../render/confirm-message';
import type { CompiledTemplates } from '../render/templates';
import type { App } from '../wiring';
import { createSubscriptionHandler, type SubscriptionHandler } from './handler';

export interface SubscriptionAppOptions {
  /** The public base of links when it is not `siteUrl` (`serve` on a laptop uses its own address). */
  siteUrl?: string;
  log?: SubscriptionDeps['log'];
  now?: () => number;
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

export function subscriptionHandler(
  app: App,
  confirmTemplates: CompiledTemplates,
  options: SubscriptionAppOptions = {},
): SubscriptionHandler {
  return createSubscriptionHandler(subscriptionDeps(app, confirmTemplates, options), {
    title: app.config.title,
    intro: app.config.intro,
    lang: app.config.lang,
    latestIssue: () => latestSentIssue(app.store),
  });
}
