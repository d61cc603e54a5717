/** Builds both stacks from a loaded config: used by the CDK app and by the stack tests. */
import type { App, Environment } from 'aws-cdk-lib';
import type { LoadedConfig } from '../lambda/config';
import { ConfigError } from '../lambda/core/errors';
import { planSendFleet } from '../lambda/core/fleet';
import { isLoopbackUrl } from '../lambda/http/site-url';
import { writeBundleFile } from './bundle-file';
import { DataStack } from './data-stack';
import { DigestStack } from './digest-stack';
import { senderDomain, stackNames, stackPrefix } from './names';

/** A new SES account out of the sandbox usually starts at 14 messages/s. */
export const DEFAULT_SEND_RATE = 14;

export interface StackOptions {
  alarmEmail?: string;
  /** Encrypt the SES-events and alarm topics with a customer KMS key. */
  encryptTopics?: boolean;
  /** SES send rate (messages/s) the fleet is sized for; default the config's transport.maxSendRate, else 14. */
  sendRate?: number;
  env?: Environment;
}

export async function buildStacks(app: App, loaded: LoadedConfig, options: StackOptions = {}) {
  const { config } = loaded;
  if (!config.schedule) {
    throw new ConfigError(
      `${loaded.origin}: "schedule" is needed to deploy, e.g. { "cron": "0 7 ? * SAT *", "timezone": "Europe/London" }`,
    );
  }
  if (isLoopbackUrl(config.siteUrl)) {
    throw new ConfigError(
      `${loaded.origin}: siteUrl ${config.siteUrl} is this machine, for \`serve\` only: mail from AWS would link there. Set siteUrl to https://your.domain, or to the SubscriptionApiUrl output after a first deploy`,
    );
  }
  const configured = config.transport.type === 'ses' ? config.transport.maxSendRate : undefined;
  const sendRate = options.sendRate ?? configured ?? DEFAULT_SEND_RATE;
  if (!(sendRate > 0)) throw new ConfigError(`sendRate must be a positive number, got ${options.sendRate}`);
  const fleet = planSendFleet(sendRate);
  const names = stackNames(config);
  const bundleFile = await writeBundleFile(loaded, app.outdir, stackPrefix(config));

  const data = new DataStack(app, names.data, {
    env: options.env,
    fleet,
    description: `pinboard-digest "${config.title}": table, secrets, SES configuration set, send queue`,
  });
  const digest = new DigestStack(app, names.digest, {
    env: options.env,
    description: `pinboard-digest "${config.title}": schedule, functions, alarms`,
    data,
    fleet,
    sendRate,
    schedule: config.schedule,
    senderDomain: senderDomain(config.from),
    bundleFile,
    alarmEmail: options.alarmEmail,
    encryptTopics: options.encryptTopics,
    unsubscribeMailbox: config.subscriptions.receiveReplies ? config.subscriptions.mailtoAddress : undefined,
    metricsNamespace: `PinboardDigest/${stackPrefix(config)}`,
  });
  digest.addStackDependency(data);
  return { data, digest, fleet };
}
