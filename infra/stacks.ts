/** Builds both stacks from a loaded config: used by the CDK app and by the stack tests. */
import { Annotations, type App, type Environment } from 'aws-cdk-lib';
import type { LoadedConfig } from '../lambda/config';
import { ConfigError } from '../lambda/core/errors';
import { planSendFleet } from '../lambda/core/fleet';
import { writeBundleFile } from './bundle-file';
import { DataStack } from './data-stack';
import { DigestStack } from './digest-stack';
import { oldestMessageLimitSeconds } from './monitoring';
import { senderDomain, stackNames, stackPrefix } from './names';
import { alarmRefusals, lambdaRefusals } from './refusals';

/** A new SES account out of the sandbox usually starts at 14 messages/s. */
export const DEFAULT_SEND_RATE = 14;

export interface StackOptions {
  /** Where alarms are mailed; default the config's deploy.alarmEmail. */
  alarmEmail?: string;
  /** `none`: deploy without an alarm address, knowingly (the synth warns). */
  alarms?: string;
  /** Encrypt the SES-events and alarm topics with a customer KMS key. */
  encryptTopics?: boolean;
  /** SES send rate (messages/s) the fleet is sized for; default the config's transport.maxSendRate, else 14. */
  sendRate?: number;
  env?: Environment;
  /** Problems the caller found in its own inputs (malformed -c values), reported with the config's. */
  problems?: readonly string[];
}

export async function buildStacks(app: App, loaded: LoadedConfig, options: StackOptions = {}) {
  const { config } = loaded;
  const configured = config.transport.type === 'ses' ? config.transport.maxSendRate : undefined;
  const sendRate = options.sendRate ?? configured ?? DEFAULT_SEND_RATE;
  const alarmEmail = options.alarmEmail ?? config.deploy?.alarmEmail;
  const alarms = alarmRefusals({ alarmEmail, alarms: options.alarms });
  const refusals = [
    ...(options.problems ?? []),
    ...lambdaRefusals(loaded),
    ...alarms.refusals,
    ...(sendRate > 0 ? [] : [`sendRate must be a positive number of messages per second, got ${options.sendRate}`]),
  ];
  if (refusals.length > 0) {
    throw new ConfigError(
      `${loaded.origin} cannot be deployed as it is:\n${refusals.map((r) => `  - ${r}`).join('\n')}`,
    );
  }
  const schedule = config.schedule as NonNullable<typeof config.schedule>;
  const fleet = planSendFleet(sendRate);
  const names = stackNames(config);
  const bundleFile = await writeBundleFile(loaded, app.outdir, stackPrefix(config));
  const sources = Array.isArray(config.source) ? config.source : [config.source];

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
    schedule,
    senderDomain: senderDomain(config.from),
    bundleFile,
    alarmEmail,
    oldestMessageSeconds: oldestMessageLimitSeconds(fleet, sendRate, config.deploy?.expectedSubscribers),
    readsPinboardToken: sources.some((s) => s.type === 'pinboard-api'),
    encryptTopics: options.encryptTopics,
    unsubscribeMailbox: config.subscriptions.receiveReplies ? config.subscriptions.mailtoAddress : undefined,
    review: config.review ? { leadHours: config.review.leadHours } : undefined,
    metricsNamespace: `PinboardDigest/${stackPrefix(config)}`,
  });
  digest.addStackDependency(data);
  if (alarms.warning) Annotations.of(digest).addWarningV2('pinboard-digest:alarms-none', alarms.warning);
  return { data, digest, fleet, warnings: alarms.warning ? [alarms.warning] : [] };
}
