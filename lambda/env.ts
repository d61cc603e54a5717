/**
 * Environment variable names and endpoint defaults, declared once: the CLI, the functions and the CDK
 * stacks all import them from here, so they cannot drift. No dependencies: the functions load it cheaply.
 */

export const ENV = {
  pinboardToken: 'PINBOARD_TOKEN',
  signingSecret: 'DIGEST_SIGNING_SECRET',
  pinboardApiUrl: 'PINBOARD_API_URL',
  pinboardFeedsUrl: 'PINBOARD_FEEDS_URL',
  stateDir: 'DIGEST_STATE_DIR',
  /** `doctor`'s DNS servers for the SPF and DMARC lookups (`1.1.1.1`, `127.0.0.1:5353`); default: the system's. */
  dnsServers: 'DIGEST_DNS_SERVERS',
} as const;

/** Set by the CDK digest stack on every function (infra/digest-stack.ts imports these names). */
export const LAMBDA_ENV = {
  table: 'DIGEST_TABLE',
  queueUrl: 'DIGEST_QUEUE_URL',
  configurationSet: 'DIGEST_CONFIGURATION_SET',
  /** ARN of the secret holding the Pinboard token: read at cold start into `PINBOARD_TOKEN`. */
  pinboardTokenSecret: 'PINBOARD_TOKEN_SECRET_ARN',
  signingSecretArn: 'DIGEST_SIGNING_SECRET_ARN',
  /** The send fleet's maximum concurrency: each invocation paces at the SES rate divided by it. */
  fleetConcurrency: 'DIGEST_SEND_CONCURRENCY',
  metricsNamespace: 'DIGEST_METRICS_NAMESPACE',
  /** Where the compiled templates and config are (default: beside the handler in the bundle). */
  bundleFile: 'DIGEST_BUNDLE_FILE',
  /** The archive's bucket (infra/site.ts): compose-issue writes each issue's page and the feeds there. */
  siteBucket: 'DIGEST_SITE_BUCKET',
  /** ARN of the secret CloudFront sends the subscription API in every request (see http/api-gateway.ts). */
  originSecretArn: 'DIGEST_ORIGIN_SECRET_ARN',
  /** compose-issue's name (config `review`): the review pages and the reply door have it act for them. */
  composeFunction: 'DIGEST_COMPOSE_FUNCTION',
} as const;

export const DEFAULT_PINBOARD_API_URL = 'https://api.pinboard.in/v1';
export const DEFAULT_PINBOARD_FEEDS_URL = 'https://feeds.pinboard.in';
