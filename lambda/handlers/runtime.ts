/**
 * The composition root of the functions: once per cold start it reads the bundled config and templates,
 * points the store at the deployed table and the transport at SES, reads the secrets (cached), and hands
 * the handlers the same `App` the CLI uses. Handlers stay thin: parse the event, call a job, return.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { DigestConfig } from '../config';
import { ENV, LAMBDA_ENV } from '../env';
import type { MetricName } from '../metrics';
import type { SendQueue } from '../ports/queue';
import type { SiteTemplates } from '../render/site-pages';
import type { CompiledTemplates } from '../render/templates';
import { type App, buildApp, deployedProfile } from '../wiring';
import { readBundle } from './bundle';

export const logger = new Logger({ serviceName: 'pinboard-digest' });

/**
 * CloudWatch metrics as one embedded-metric-format log line (the alarms and the dashboard read them; no API
 * call). Names come from lambda/metrics.ts; no dimensions, so the stack's alarms find them by name alone.
 */
export function metrics(namespace: string, values: Partial<Record<MetricName, number>>): void {
  const names = Object.keys(values) as MetricName[];
  if (names.length === 0) return;
  logger.info('metrics', {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[]], Metrics: names.map((Name) => ({ Name })) }],
    },
    ...values,
  });
}

export interface Runtime {
  app: App;
  /** The confirmation email's compiled templates (the subscription-api function sends it). */
  confirmTemplates: CompiledTemplates;
  queue: SendQueue;
  /** The send fleet's maximum concurrency (each invocation takes this share of the SES rate). */
  fleetConcurrency: number;
  metricsNamespace: string;
  /** The archive: its bucket (set on compose-issue only) and templates from the bundle. */
  site?: { bucket: string; templates?: SiteTemplates };
}

/** Reads a secret by ARN (cached for 5 minutes by Powertools); `undefined` when no ARN is configured. */
export async function secretFrom(env: NodeJS.ProcessEnv, arnVariable: string): Promise<string | undefined> {
  const arn = env[arnVariable]?.trim();
  if (!arn) return undefined;
  const value = await getSecret(arn, { maxAge: 300 });
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * Which secrets a function reads at cold start: all (`true`), none (`false`: ses-events), or only the signing
 * key (`'signing'`: the subscription API, which may not read the Pinboard token).
 */
export type SecretsNeeded = boolean | 'signing';

/** Builds the runtime with the secrets the function needs (see SecretsNeeded; may depend on the config). */
export async function createRuntime(
  env: NodeJS.ProcessEnv = process.env,
  needed: SecretsNeeded | ((config: DigestConfig) => SecretsNeeded) = true,
): Promise<Runtime> {
  const { loaded, templates, confirmTemplates, siteTemplates } = readBundle(env);
  const secrets = typeof needed === 'function' ? needed(loaded.config) : needed;
  const withSecrets: NodeJS.ProcessEnv = { ...env };
  if (secrets) {
    const [token, signing] = await Promise.all([
      secrets === true ? secretFrom(env, LAMBDA_ENV.pinboardTokenSecret) : undefined,
      secretFrom(env, LAMBDA_ENV.signingSecretArn),
    ]);
    if (token) withSecrets[ENV.pinboardToken] = token;
    if (signing) withSecrets[ENV.signingSecret] = signing;
  }
  const fleetConcurrency = Math.max(1, Number(env[LAMBDA_ENV.fleetConcurrency] ?? 2) || 2);
  const app = buildApp(deployedProfile(loaded, env), {
    env: withSecrets,
    stateDir: '/tmp/pinboard-digest',
    log: (line) => logger.info(line),
    templates,
    confirmTemplates,
    rateShare: fleetConcurrency,
  });
  return {
    app,
    confirmTemplates,
    queue: app.queue(),
    fleetConcurrency,
    metricsNamespace: env[LAMBDA_ENV.metricsNamespace] ?? 'PinboardDigest',
    ...siteOf(env, siteTemplates),
  };
}

/** One runtime per cold start, shared by every invocation of the container. */
export function runtimeOnce(
  secrets: SecretsNeeded | ((config: DigestConfig) => SecretsNeeded) = true,
): () => Promise<Runtime> {
  let built: Promise<Runtime> | undefined;
  return () => {
    built ??= createRuntime(process.env, secrets).catch((error: unknown) => {
      built = undefined; // a failed cold start (secret not readable yet) is tried again next time
      throw error;
    });
    return built;
  };
}

/** The archive's bucket and templates, where the stack gave the function a bucket. */
function siteOf(env: NodeJS.ProcessEnv, templates: SiteTemplates | undefined): Pick<Runtime, 'site'> {
  const bucket = env[LAMBDA_ENV.siteBucket]?.trim();
  return bucket ? { site: { bucket, templates } } : {};
}
