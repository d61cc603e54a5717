/**
 * The one place config is loaded, validated and frozen. A bad value is an error naming key and file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './core/errors';
import { parseJsonc } from './core/jsonc';
import { siteUrlProblem } from './core/site-url';
import { DEFAULT_MAX_BODY_BYTES } from './core/source-limits';

// Environment names live in env.ts (the functions import them without zod); re-exported here.
export { DEFAULT_PINBOARD_API_URL, DEFAULT_PINBOARD_FEEDS_URL, ENV, LAMBDA_ENV } from './env';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const tagList = z.array(z.string().min(1)).max(200);

const oneSource = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pinboard-api'), user: z.string().min(1) }),
  z.strictObject({ type: z.literal('pinboard-rss'), user: z.string().min(1), tag: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal('feed'), url: httpUrl }),
  z.strictObject({
    type: z.literal('file'),
    path: z.string().min(1),
    /** The Pinboard user the export belongs to: links tags and the profile. */
    user: z.string().min(1).optional(),
  }),
]);

export type SourceConfig = z.infer<typeof oneSource>;

/** One source, or several merged into one digest (each read on its own; see README "Sources"). */
const source = z.union(
  [
    oneSource,
    z
      .array(oneSource)
      .min(1, { error: 'must list at least one source' })
      .max(20, { error: 'must list at most 20 sources' })
      .superRefine((list, ctx) => {
        // Parsed entries list their keys in the schema's order, so equal entries are equal JSON.
        const seen = new Map<string, number>();
        list.forEach((s, i) => {
          const first = seen.get(JSON.stringify(s));
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `repeats source ${first}` });
          else seen.set(JSON.stringify(s), i);
        });
      }),
  ],
  { error: 'must be a source ({ "type": … }) or a list of sources' },
);

/** `linkCheck` when the config says nothing: off on the CLI, on on AWS (handlers/runtime.ts). */
export const LINK_CHECK_DEFAULTS = {
  action: 'hold' as 'drop' | 'hold' | 'mark',
  timeoutMs: 10_000,
  deadlineMs: 60_000,
  concurrency: 16,
  perHost: 2,
  followRedirects: true,
  maxRedirects: 5,
  keepFinalUrl: false,
  holdDays: 14,
  allowPrivateHosts: false,
};

const wholeNumber = (unit: string, min: number, max: number) =>
  z
    .number({ error: `must be a number of ${unit}` })
    .int({ error: `must be a whole number of ${unit}` })
    .min(min, { error: `must be at least ${min} (${unit})` })
    .max(max, { error: `must be at most ${max} (${unit})` });

/**
 * Link checking (lambda/core/link-check.ts). `enabled` left out means "the host's default": off for the CLI,
 * on in the functions on AWS. Times in milliseconds; `perHost` counts `host:port` of each link as saved.
 */
const linkCheckSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    /** What a dead link does: `drop` (left out for good), `hold` (left out, checked again next issue), `mark` (sent with a warning). */
    action: z.enum(['drop', 'hold', 'mark'], { error: 'must be "drop", "hold" or "mark"' }).default('hold'),
    timeoutMs: wholeNumber('milliseconds for one link, all its requests', 500, 120_000).default(10_000),
    // At most 4 minutes: the compose-issue function has 5 (infra/digest-stack.ts) and still has to compose and enqueue.
    deadlineMs: wholeNumber('milliseconds for the whole check', 1_000, 240_000).default(60_000),
    concurrency: wholeNumber('requests at once', 1, 128).default(16),
    perHost: wholeNumber('requests at once to one host', 1, 16).default(2),
    followRedirects: z.boolean({ error: 'must be true or false' }).default(true),
    maxRedirects: wholeNumber('redirects', 0, 20).default(5),
    /** Show a link at the target of its permanent (301/308) redirects. */
    keepFinalUrl: z.boolean({ error: 'must be true or false' }).default(false),
    /** `hold`: a dead link saved longer ago than this is dropped instead of held again. */
    holdDays: z
      .number({ error: 'must be a number of days' })
      .positive({ error: 'must be more than 0 days' })
      .max(365, { error: 'must be at most 365 days' })
      .default(14),
    /** Check links to loopback and private addresses (an intranet, tests); off: they are sent unchecked. */
    allowPrivateHosts: z.boolean({ error: 'must be true or false' }).default(false),
    userAgent: z.string().min(1).max(200).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.deadlineMs < c.timeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['deadlineMs'], message: `must be at least timeoutMs (${c.timeoutMs})` });
    }
    if (c.keepFinalUrl && !c.followRedirects) {
      ctx.addIssue({ code: 'custom', path: ['keepFinalUrl'], message: 'needs followRedirects: true' });
    }
  })
  .default(LINK_CHECK_DEFAULTS);

export type LinkCheckConfig = z.infer<typeof linkCheckSchema>;

/** An AWS region code (`eu-west-1`, `us-gov-west-1`) and a 12-digit account id, as `deploy` takes them. */
export const AWS_REGION_CODE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const AWS_ACCOUNT_ID = /^\d{12}$/;

/**
 * Where and how `cdk deploy` puts the digest (infra/). Each may also come from `-c region=…`, `-c account=…`,
 * `-c alarmEmail=…` on the command line, which win over these; region and account otherwise come from the
 * CDK CLI's environment at deploy time.
 */
const deploySchema = z.strictObject({
  /** An AWS region code: `eu-west-1`, `us-east-2`, `ap-southeast-2`. */
  region: z.string().regex(AWS_REGION_CODE, { error: 'must be an AWS region code, e.g. "eu-west-1"' }).optional(),
  /** The 12-digit AWS account id. */
  account: z
    .string()
    .regex(AWS_ACCOUNT_ID, { error: 'must be a 12-digit AWS account id, e.g. "123456789012"' })
    .optional(),
  /** Where alarms are mailed (the SNS subscription must be confirmed from that mailbox). */
  alarmEmail: z.email({ error: 'must be an email address' }).optional(),
  /**
   * The list size an issue should reach in time: the send queue's oldest-message alarm allows the time this
   * many recipients take at the send rate (default 10000).
   */
  expectedSubscribers: z
    .number({ error: 'must be a number of subscribers' })
    .int({ error: 'must be a whole number of subscribers' })
    .min(1, { error: 'must be at least 1' })
    .max(10_000_000, { error: 'must be at most 10000000' })
    .optional(),
});

export type DeployConfig = z.infer<typeof deploySchema>;

const schema = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().min(1).max(200),
  intro: z.string().max(2000).optional(),
  lang: z.string().min(2).max(35).default('en'),
  siteUrl: httpUrl.superRefine((url, ctx) => {
    const problem = siteUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  from: z.string().min(3),
  replyTo: z.string().min(3).optional(),
  listId: z.string().min(1).optional(),
  footer: z.string().max(2000).optional(),
  templates: z.string().min(1).optional(),
  /** A CSV (header `email`, optional `name`) imported when the subscriber list is empty: for demos. */
  subscribersSeed: z.string().min(1).optional(),
  source,
  /**
   * With several sources: `skip` sends the issue from the sources that answered (a failed one catches up in
   * the next issue); `stop` fails the run, state unchanged, when any source fails. One source always stops.
   */
  sourceFailure: z.enum(['skip', 'stop'], { error: 'must be "skip" or "stop"' }).default('skip'),
  /** Bounds on what a source reads from the network (lambda/adapters/http.ts). */
  sourceLimits: z
    .strictObject({
      maxBodyBytes: z
        .number({ error: 'must be a number of bytes' })
        .int({ error: 'must be a whole number of bytes' })
        .min(10_000, { error: 'must be at least 10000 bytes (10 kB)' })
        .max(500_000_000, { error: 'must be at most 500000000 bytes (500 MB): a body is held in memory' })
        .default(DEFAULT_MAX_BODY_BYTES),
    })
    .default({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES }),
  /** Candidate links checked before an issue is composed (README "Link checking"); see linkCheckSchema. */
  linkCheck: linkCheckSchema,
  select: z
    .strictObject({
      includeTags: tagList.default([]),
      excludeTags: tagList.default(['nodigest']),
      includeToRead: z.boolean().default(false),
      minBookmarks: z.number().int().min(1).default(1),
      maxBookmarks: z.number().int().min(1).max(500).default(50),
      firstIssueDays: z.number().positive().max(36500).default(7),
      maxHtmlBytes: z.number().int().min(10_000).max(10_000_000).default(95_000),
    })
    .default({
      includeTags: [],
      excludeTags: ['nodigest'],
      includeToRead: false,
      minBookmarks: 1,
      maxBookmarks: 50,
      firstIssueDays: 7,
      maxHtmlBytes: 95_000,
    }),
  sections: z.array(z.strictObject({ title: z.string().min(1), tags: tagList.min(1) })).optional(),
  otherSectionTitle: z.string().min(1).default('Everything else'),
  transport: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('outbox'), dir: z.string().min(1) }),
    z.strictObject({
      type: z.literal('ses'),
      configurationSet: z.string().min(1).optional(),
      maxSendRate: z.number().positive().max(10_000).optional(),
    }),
  ]),
  store: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('file'), dir: z.string().min(1) }),
      z.strictObject({
        type: z.literal('dynamodb'),
        table: z.string().min(3),
        /** After this long a crashed run's unfinished claims are sent again; keep it above one send's retries. */
        claimTtlSeconds: z.number().positive().max(86_400).default(600),
        /** A send lock not renewed for this long (the run died) is free again. */
        lockLeaseSeconds: z.number().positive().max(3600).default(60),
      }),
    ])
    .optional(),
  schedule: z.strictObject({ cron: z.string().min(9), timezone: z.string().min(1).default('UTC') }).optional(),
  /** SES bounce handling (AWS): a permanent bounce or a complaint suppresses at once; transient ones after this many. */
  bounces: z
    .strictObject({ transientLimit: z.number().int().min(1).max(100).default(3) })
    .default({ transientLimit: 3 }),
  /** The signup API (`serve`, the subscription-api function) and the unsubscribe doors it offers. */
  subscriptions: z
    .strictObject({
      /** Someone reads "unsubscribe TOKEN" replies to replyTo (or from): only then does List-Unsubscribe name a mailto. */
      mailtoUnsubscribe: z.boolean().default(false),
      /**
       * The mailbox the mailto names instead of replyTo/from: one that only takes unsubscribe replies, e.g.
       * `unsubscribe@links.example.com`. Needed for `receiveReplies` (SES then reads it, not a person).
       */
      mailtoAddress: z.email({ error: 'must be an email address' }).optional(),
      /**
       * On AWS: an SES receipt rule routes mail to mailtoAddress to the ses-events function, which unsubscribes
       * by the token in the subject. Off: the author reads the replies and runs `subscribers unsubscribe`.
       */
      receiveReplies: z.boolean().default(false),
      /** Sign-up requests from one IP address per hour; more get 429 until the hour is over. */
      perIpPerHour: z.number().int().min(1).max(1_000_000).default(20),
      /** Sign-up requests for one address per day; more get 429. A confirmation goes out at most once a day anyway. */
      perAddressPerDay: z.number().int().min(1).max(1000).default(5),
    })
    .superRefine((sub, ctx) => {
      if (sub.receiveReplies && !sub.mailtoAddress) {
        ctx.addIssue({
          code: 'custom',
          path: ['mailtoAddress'],
          message:
            'is needed with receiveReplies: SES takes every mail sent to it, so it must be a mailbox of its own (e.g. unsubscribe@your-domain), not your replyTo',
        });
      }
      if (sub.receiveReplies && !sub.mailtoUnsubscribe) {
        ctx.addIssue({
          code: 'custom',
          path: ['mailtoUnsubscribe'],
          message: 'must be true with receiveReplies (otherwise no message offers the mailto)',
        });
      }
    })
    .default({ mailtoUnsubscribe: false, receiveReplies: false, perIpPerHour: 20, perAddressPerDay: 5 }),
  /** The AWS deployment (infra/): region, account, alarm address. Not used by the CLI or the functions. */
  deploy: deploySchema.optional(),
});

export type DigestConfig = z.infer<typeof schema>;

export interface LoadedConfig {
  config: Readonly<DigestConfig>;
  /** Where it came from: a path, or "the embedded example". */
  origin: string;
  /** Relative paths in the config resolve against this directory. */
  baseDir: string;
}

/** The embedded default: sample bookmarks, sample subscribers, a local outbox. */
export const EXAMPLE_CONFIG = path.resolve(__dirname, '../examples/digest.config.json');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

type Issue = z.core.$ZodIssue;

/**
 * A value no branch of a union accepts is one vague "Invalid input": replaced by the issues of the branches
 * that got past the value's basic type (a source object with a bad `type` names `source.type`).
 */
function expandUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const wrongType = (branch: Issue[]) => branch.every((i) => i.code === 'invalid_type' && i.path.length === 0);
    const inner = issue.errors.filter((branch) => !wrongType(branch)).flat();
    if (inner.length === 0) return [issue];
    return expandUnions(inner.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

/** Validates a parsed config; `origin` names the file in errors. */
export function parseConfig(raw: unknown, origin: string): DigestConfig {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = expandUnions(result.error.issues).map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      const extra =
        issue.code === 'unrecognized_keys' ? `: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : '';
      return `  ${key}: ${issue.code === 'unrecognized_keys' ? 'not allowed here' : issue.message}${extra}`;
    });
    throw new ConfigError(`${origin} is not a valid config:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Loads `file`, or ./digest.config.json, or the embedded example, in that order. */
export function loadConfig(file: string | undefined, cwd = process.cwd()): LoadedConfig {
  let resolved: string;
  if (file) resolved = path.resolve(cwd, file);
  else {
    const local = path.resolve(cwd, 'digest.config.json');
    resolved = existsSync(local) ? local : EXAMPLE_CONFIG;
  }
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config ${resolved}: ${(cause as Error).message}`, { cause });
  }
  let raw: unknown;
  try {
    // JSON with comments: `pinboard-digest init` writes a commented config.
    raw = parseJsonc(text);
  } catch (cause) {
    throw new ConfigError(`${resolved} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const origin = resolved === EXAMPLE_CONFIG ? `the embedded example config (${resolved})` : resolved;
  return { config: deepFreeze(parseConfig(raw, origin)), origin, baseDir: path.dirname(resolved) };
}
