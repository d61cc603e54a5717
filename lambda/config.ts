/**
 * The one place config is loaded, validated and frozen. A bad value is an error naming key and file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { ConfigError } from './core/errors';
import { parseJsonc } from './core/jsonc';
import { siteUrlProblem } from './core/site-url';
import { DEFAULT_MAX_BODY_BYTES } from './core/source-limits';

// Environment names live in env.ts (the functions import them without zod); re-exported here.
export { DEFAULT_PINBOARD_API_URL, DEFAULT_PINBOARD_FEEDS_URL, ENV, LAMBDA_ENV } from './env';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const tagList = z.array(z.string().min(1)).max(200);

const oneSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('pinboard-api').describe('Your bookmarks through the Pinboard API (private ones left out).'),
    user: z.string().min(1).describe('Your Pinboard user; the token comes from `PINBOARD_TOKEN` (`user:HEX`).'),
  }),
  z.strictObject({
    type: z.literal('pinboard-rss').describe("A Pinboard user's public feed: public bookmarks only, the newest 400."),
    user: z.string().min(1).describe('Whose public bookmarks.'),
    tag: z.string().min(1).optional().describe('Only the bookmarks with this tag.'),
  }),
  z.strictObject({
    type: z.literal('feed').describe('Any RSS, Atom or JSON Feed: linkding, Raindrop, Wallabag, a blog.'),
    url: httpUrl.describe("The feed's address."),
  }),
  z.strictObject({
    type: z.literal('file').describe('A Pinboard JSON export (Settings → backup).'),
    path: z.string().min(1).describe('The export file, relative to the config file.'),
    user: z
      .string()
      .min(1)
      .optional()
      .describe('The Pinboard user the export belongs to: links tags and the profile to Pinboard.'),
  }),
]);

export type SourceConfig = z.infer<typeof oneSource>;

/** One source, or several merged into one digest (each read on its own; docs/guide.md "Sources"). */
const source = z
  .union(
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
  )
  .describe(
    "Where the bookmarks come from: one source, or a list (no entry twice) merged into one digest, one link per normalized URL. A source is known by its entry: editing it starts it afresh from the last issue's watermark. See the guide, [Sources](guide.md#sources).",
  );

const wholeNumber = (unit: string, min: number, max: number) =>
  z
    .number({ error: `must be a number of ${unit}` })
    .int({ error: `must be a whole number of ${unit}` })
    .min(min, { error: `must be at least ${min} (${unit})` })
    .max(max, { error: `must be at most ${max} (${unit})` });
const yesNo = () => z.boolean({ error: 'must be true or false' });

/**
 * Link checking (lambda/core/link-check.ts). `enabled` left out means "the host's default": off for the CLI,
 * on in the functions on AWS (handlers/runtime.ts). Times in milliseconds.
 */
const linkCheckSchema = z
  .strictObject({
    enabled: yesNo().optional().meta({
      description: 'Check each candidate link before the issue is composed; `true` or `false` decides on every host.',
      unset: 'off on the CLI, on on AWS',
    }),
    action: z
      .enum(['drop', 'hold', 'mark'], { error: 'must be "drop", "hold" or "mark"' })
      .default('hold')
      .describe(
        'What a dead link does: `drop` (left out for good), `hold` (left out, checked again next issue, dropped after `holdDays`), `mark` (sent with a warning).',
      ),
    timeoutMs: wholeNumber('milliseconds for one link, all its requests', 500, 120_000)
      .default(10_000)
      .describe('Milliseconds for one link: its HEAD, GET and redirects together.'),
    // At most 4 minutes: the compose-issue function has 5 (infra/digest-stack.ts) and still has to compose and enqueue.
    deadlineMs: wholeNumber('milliseconds for the whole check', 1_000, 240_000)
      .default(60_000)
      .describe(
        'Milliseconds for the whole check, at least `timeoutMs`; links not checked by then go out unchecked. At most 4 minutes: the compose-issue function has 5 and still has to compose and enqueue.',
      ),
    concurrency: wholeNumber('requests at once', 1, 128).default(16).describe('Requests at once, in all.'),
    perHost: wholeNumber('requests at once to one host', 1, 16)
      .default(2)
      .describe('Requests at once to one host (`host:port` of the link as saved).'),
    followRedirects: yesNo().default(true).describe('Follow redirects (by hand, http(s) only).'),
    maxRedirects: wholeNumber('redirects', 0, 20).default(5).describe('Redirects followed for one link.'),
    keepFinalUrl: yesNo()
      .default(false)
      .describe(
        'Show a link at the end of its permanent (301/308) redirects instead of the URL saved; needs `followRedirects`.',
      ),
    holdDays: z
      .number({ error: 'must be a number of days' })
      .positive({ error: 'must be more than 0 days' })
      .max(365, { error: 'must be at most 365 days' })
      .default(14)
      .describe(
        'With `hold`: a dead link saved longer ago than this many days is dropped instead of held again, so the next window is never kept back further.',
      ),
    allowPrivateHosts: yesNo()
      .default(false)
      .describe(
        'Check links to loopback and private addresses (an intranet; the tests on 127.0.0.x). Off: such links are not requested and go out unchecked. A deploy refuses it.',
      ),
    userAgent: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'The `User-Agent` the checker sends.', unset: '`pinboard-digest-linkcheck/1 (+siteUrl)`' }),
  })
  .superRefine((c, ctx) => {
    if (c.deadlineMs < c.timeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['deadlineMs'], message: `must be at least timeoutMs (${c.timeoutMs})` });
    }
    if (c.keepFinalUrl && !c.followRedirects) {
      ctx.addIssue({ code: 'custom', path: ['keepFinalUrl'], message: 'needs followRedirects: true' });
    }
  })
  .prefault({})
  .describe(
    'Each candidate link checked before the issue is composed: dead ones left out, held back or marked. See the guide, [Link checking](guide.md#link-checking).',
  );

export type LinkCheckConfig = z.infer<typeof linkCheckSchema>;

/** `linkCheck` when the config says nothing (`enabled` unset: the host decides), read from the schema. */
export const LINK_CHECK_DEFAULTS: Readonly<LinkCheckConfig> = Object.freeze(linkCheckSchema.parse(undefined));

/** An AWS region code (`eu-west-1`, `us-gov-west-1`) and a 12-digit account id, as `deploy` takes them. */
export const AWS_REGION_CODE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const AWS_ACCOUNT_ID = /^\d{12}$/;

/** Where and how `cdk deploy` puts the digest (infra/). */
const deploySchema = z.strictObject({
  region: z.string().regex(AWS_REGION_CODE, { error: 'must be an AWS region code, e.g. "eu-west-1"' }).optional().meta({
    description: 'The AWS region code: `eu-west-1`, `us-east-2`, `ap-southeast-2`. `-c region=…` wins over it.',
    unset: 'the region of your credentials at deploy time',
  }),
  account: z
    .string()
    .regex(AWS_ACCOUNT_ID, { error: 'must be a 12-digit AWS account id, e.g. "123456789012"' })
    .optional()
    .meta({
      description: 'The 12-digit AWS account id. `-c account=…` wins over it.',
      unset: 'the account of your credentials at deploy time',
    }),
  alarmEmail: z
    .email({ error: 'must be an email address' })
    .optional()
    .describe(
      'Where alarms are mailed (confirm the SNS subscription from that mailbox). `-c alarmEmail=…` wins over it; a deploy needs an alarm destination, or `-c alarms=none`.',
    ),
  expectedSubscribers: z
    .number({ error: 'must be a number of subscribers' })
    .int({ error: 'must be a whole number of subscribers' })
    .min(1, { error: 'must be at least 1' })
    .max(10_000_000, { error: 'must be at most 10000000' })
    .optional()
    .meta({
      description:
        "The list size an issue should reach in time: the send queue's oldest-message alarm allows the time this many recipients take at the send rate.",
      unset: '10000',
    }),
});

export type DeployConfig = z.infer<typeof deploySchema>;

const awsName = (what: string) => z.string().min(1).describe(what);

/** What `deploy` found deployed (lambda/deploy/outputs.ts): written by it, read by every command. */
const deploymentSchema = z.strictObject({
  region: z.string().regex(AWS_REGION_CODE, { error: 'must be an AWS region code' }).describe('The region.'),
  account: z.string().regex(AWS_ACCOUNT_ID, { error: 'must be a 12-digit AWS account id' }).optional().meta({
    description: 'The account.',
    unset: 'that of your credentials',
  }),
  stacks: z
    .strictObject({ data: awsName('The Data stack.'), digest: awsName('The Digest stack.') })
    .describe('The two stacks, by name.'),
  table: awsName('The DynamoDB table.'),
  configurationSet: awsName('The SES configuration set.'),
  sendQueueUrl: httpUrl.describe('The send queue.'),
  secrets: z
    .strictObject({
      pinboardToken: awsName('The Pinboard token secret (ARN).'),
      signingKey: awsName('The signing key secret (ARN).'),
    })
    .describe('The secrets, by ARN.'),
  functions: z
    .strictObject({
      composeIssue: awsName('compose-issue.'),
      sendBatch: awsName('send-batch.'),
      sesEvents: awsName('ses-events.'),
      subscriptionApi: awsName('subscription-api.'),
    })
    .describe('The four functions, by name.'),
  schedule: z
    .strictObject({ name: awsName('Its name.'), group: awsName('Its group.') })
    .describe('The EventBridge Scheduler schedule that runs compose-issue.'),
  sendEventSource: awsName("send-batch's SQS event source mapping (UUID)."),
  siteUrl: httpUrl.describe('The archive and sign-up page (CloudFront).'),
  subscriptionApiUrl: httpUrl.describe('The subscription API (API Gateway).'),
  deployedAt: z.iso.datetime({ offset: true }).describe('When `deploy` last finished.'),
});

export type DeploymentConfig = z.infer<typeof deploymentSchema>;

/** The config file's schema: every key's type, range, default and description (docs/configuration.md). */
export const configSchema = z.strictObject({
  $schema: z.string().optional().describe('A JSON Schema for your editor; the digest ignores it.'),
  title: z.string().min(1).max(200).describe("The digest's name: in the subject, the heading and `List-Id`."),
  intro: z.string().max(2000).optional().describe('Text under the heading (email, archive, sign-up page).'),
  lang: z
    .string()
    .min(2)
    .max(35)
    .default('en')
    .describe(
      '`lang` of the HTML, the locale of the date, and of counts (`1 link`, `5 links`; `5 ссылок`, `21 ссылка` in `ru`).',
    ),
  siteUrl: httpUrl
    .superRefine((url, ctx) => {
      const problem = siteUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'Base of every link in a mail: unsubscribe and confirm (`SITE/unsubscribe?token=…`), the one-click header, the archive. https, or plain http only for `http://127.0.0.1:PORT` / `http://localhost:PORT` (local use with `serve`; a deploy refuses it). A path prefix (`https://example.com/news`) works.',
    ),
  from: z.string().min(3).describe('The sender, `Name <address>`; its domain is the one SES must have verified.'),
  replyTo: z.string().min(3).optional().meta({
    description:
      'Where replies go; also the mailbox of `mailto:` unsubscribes when `subscriptions.mailtoUnsubscribe` is on (unless `subscriptions.mailtoAddress`).',
    unset: '`from`',
  }),
  listId: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'The `List-Id` identifier.', unset: 'slug of title + sender domain' }),
  footer: z.string().max(2000).optional().describe('Text in the footer.'),
  templates: z.string().min(1).optional().meta({
    description:
      'A folder with `digest.mjml`, `digest.txt.hbs`, `subject.hbs`, `preheader.hbs` (and optionally `confirm.mjml`, `confirm.txt.hbs`, `site/`), relative to the config file.',
    unset: '`templates/` of this project',
  }),
  subscribersSeed: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A CSV (header `email`, optional `name`) imported when the subscriber list is empty, relative to the config file: for demos (the example uses it).',
    ),
  source,
  sourceFailure: z
    .enum(['skip', 'stop'], { error: 'must be "skip" or "stop"' })
    .default('skip')
    .describe(
      'With a list of sources: `skip` sends the issue from those that answered and catches a failed one up in a later issue; `stop` fails the run, state unchanged, when any source fails. One source that fails always stops the run.',
    ),
  sourceLimits: z
    .strictObject({
      maxBodyBytes: z
        .number({ error: 'must be a number of bytes' })
        .int({ error: 'must be a whole number of bytes' })
        .min(10_000, { error: 'must be at least 10000 bytes (10 kB)' })
        .max(500_000_000, { error: 'must be at most 500000000 bytes (500 MB): a body is held in memory' })
        .default(DEFAULT_MAX_BODY_BYTES)
        .describe(
          'The largest answer a source reads (a feed, the Pinboard API), in bytes, counted as it streams (20 MB by default); a bigger one stops the run naming the source and this limit, state unchanged. A body is held in memory.',
        ),
    })
    .prefault({})
    .describe('Bounds on what a source reads from the network (lambda/adapters/http.ts).'),
  linkCheck: linkCheckSchema,
  select: z
    .strictObject({
      includeTags: tagList.default([]).describe('If not empty, only bookmarks with one of these tags.'),
      excludeTags: tagList.default(['nodigest']).describe('Bookmarks with one of these tags are left out.'),
      includeToRead: z.boolean().default(false).describe('Include bookmarks marked to-read.'),
      minBookmarks: z
        .number()
        .int()
        .min(1)
        .default(1)
        .describe('Fewer eligible links than this: no issue, state unchanged.'),
      maxBookmarks: z
        .number()
        .int()
        .min(1)
        .max(500)
        .default(50)
        .describe('More eligible links than this: the newest are carried to the next issue.'),
      firstIssueDays: z
        .number()
        .positive()
        .max(36500)
        .default(7)
        .describe('How many days back the first issue reaches (or `--since`).'),
      maxHtmlBytes: z
        .number()
        .int()
        .min(10_000)
        .max(10_000_000)
        .default(95_000)
        .describe(
          "HTML budget in bytes, under Gmail's ~102 KB clip, counted as the reader's client gets it (decoded, UTF-8, CRLF); links over it are carried to the next issue.",
        ),
    })
    .prefault({})
    .describe(
      'Which bookmarks go in an issue. See the guide, [What goes in an issue](guide.md#what-goes-in-an-issue).',
    ),
  sections: z
    .array(
      z.strictObject({
        title: z.string().min(1).describe("The section's heading."),
        tags: tagList.min(1).describe('A link goes to the first section that shares a tag with it.'),
      }),
    )
    .optional()
    .meta({
      description:
        'The sections, in order; a link goes to the first section sharing a tag, the rest to `otherSectionTitle`. Without them, a link joins the section of its first public tag, but a tag with only one link this issue makes no section: that link goes to the last one (`otherSectionTitle`). In every section links go oldest first.',
      unset: 'by first tag',
    }),
  otherSectionTitle: z.string().min(1).default('Everything else').describe('The last section, for the rest.'),
  transport: z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('outbox').describe('One `.eml` file per message in a folder: no mail leaves this machine.'),
        dir: z.string().min(1).describe('The folder, relative to the working directory.'),
      }),
      z.strictObject({
        type: z.literal('ses').describe("Amazon SES (the AWS SDK's region and credentials); on AWS the stacks set it."),
        configurationSet: z.string().min(1).optional().describe('The SES configuration set each message names.'),
        maxSendRate: z.number().positive().max(10_000).optional().meta({
          description: "Messages a second to send at; doctor warns when it exceeds the account's rate.",
          unset: "the account's rate (SES `GetSendQuota`; 1/s if it does not answer)",
        }),
      }),
    ])
    .describe('Where messages go.'),
  store: z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z
          .literal('file')
          .describe('Files in a folder (`subscribers.jsonl`, `issues/`, `deliveries/`, `memo.json`).'),
        dir: z.string().min(1).describe('The state folder, relative to the working directory.'),
      }),
      z.strictObject({
        type: z.literal('dynamodb').describe("One DynamoDB table (the AWS SDK's region and credentials)."),
        table: z.string().min(3).describe("The table's name (the Data stack's `TableName` output)."),
        claimTtlSeconds: z
          .number()
          .positive()
          .max(86_400)
          .default(600)
          .describe(
            "After this many seconds a crashed run's unfinished claims are sent again; keep it above one send's retries (2 minutes).",
          ),
        lockLeaseSeconds: z
          .number()
          .positive()
          .max(3600)
          .default(60)
          .describe('A send lock not renewed for this many seconds (the run died) is free again.'),
      }),
    ])
    .optional()
    .meta({
      description: 'Where state lives.',
      unset: 'the file store in `.digest/` (or `--state`, `DIGEST_STATE_DIR`)',
    }),
  schedule: z
    .strictObject({
      cron: z.string().min(9).describe('EventBridge cron fields: `0 7 ? * SAT *` is Saturdays at 7:00.'),
      timezone: z
        .string()
        .min(1)
        .default('UTC')
        .describe('The IANA time zone of `cron` (`Europe/London`); it also dates the issue.'),
    })
    .optional()
    .describe('When the AWS deployment composes and sends an issue; a deploy needs it.'),
  review: z
    .strictObject({
      mode: z
        .enum(['auto', 'approve'])
        .default('auto')
        .describe(
          '`auto`: the issue goes out at the scheduled time unless you hold it; `approve`: only a draft you approved goes out.',
        ),
      leadHours: z
        .number()
        .min(1)
        .max(168)
        .default(24)
        .describe('How many hours before the scheduled send the draft is composed and the preflight mailed.'),
      to: z
        .email({ error: 'must be an email address' })
        .describe('Who gets the preflight (the author); on AWS the only address a reply with a note is taken from.'),
    })
    .optional()
    .meta({
      description:
        'The author reviews each issue before it goes out: a draft and a preflight message `leadHours` ahead, approve, hold, a note of the day. Needs `schedule`. See the guide, [Review each issue](guide.md#review-each-issue).',
      unset: 'no review: the schedule composes and sends in one go',
    }),
  bounces: z
    .strictObject({
      transientLimit: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(3)
        .describe(
          'A permanent bounce or a complaint suppresses an address at once; transient bounces after this many.',
        ),
    })
    .prefault({})
    .describe('SES bounce handling (AWS: the ses-events function).'),
  subscriptions: z
    .strictObject({
      mailtoUnsubscribe: z
        .boolean()
        .default(false)
        .describe(
          'Someone reads "unsubscribe TOKEN" replies to `replyTo` (or `from`), with `subscribers unsubscribe`: only then does `List-Unsubscribe` offer a mailto beside the https link.',
        ),
      mailtoAddress: z.email({ error: 'must be an email address' }).optional().meta({
        description:
          'A mailbox of its own for the mailto, one that only takes unsubscribe replies (`unsubscribe@links.example.com`). Needed for `receiveReplies` (SES then reads it, not a person).',
        unset: '`replyTo`, else `from`',
      }),
      receiveReplies: z
        .boolean()
        .default(false)
        .describe(
          'On AWS: an SES receipt rule routes mail to `mailtoAddress` to the ses-events function, which unsubscribes by the token in the subject. Off: the author reads the replies and runs `subscribers unsubscribe`. Needs `mailtoUnsubscribe` and `mailtoAddress`.',
        ),
      perIpPerHour: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(20)
        .describe(
          'Sign-up requests from one IP address (IPv6: one /64) per hour; more are answered 429 with `Retry-After` until the hour is over.',
        ),
      perAddressPerDay: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(5)
        .describe(
          'Sign-up requests for one address per day; more are answered 429. A confirmation goes out at most once a day anyway.',
        ),
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
    .prefault({})
    .describe(
      'The sign-up API (`serve`, the subscription-api function) and the unsubscribe doors it offers. See the guide, [Readers join and leave](guide.md#readers-join-and-leave).',
    ),
  deploy: deploySchema
    .optional()
    .describe(
      'Where and how `cdk deploy` puts the digest (infra/). Each key may also come from `-c region=…`, `-c account=…`, `-c alarmEmail=…` on the command line, which win. Not used by the CLI or the functions.',
    ),
  deployment: deploymentSchema
    .optional()
    .describe(
      'Written by `pinboard-digest deploy` into `deployed.config.json`: where the deployed digest is. Leave it to `deploy`; with it, `doctor`, `issues`, `subscribers`, `send --to`, `smoke`, `pause`, `resume` and `status` work against the deployment.',
    ),
});

export type DigestConfig = z.infer<typeof configSchema>;

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

/**
 * The deployed profile: the settings the stacks give every function (the table, SES and its configuration
 * set, the send queue), laid over the author's config (wiring.ts `deployedProfile`) and checked by the
 * author's schema plus the one key only a deployment has.
 */
export const deployedSchema = configSchema.extend({
  queue: z.strictObject({ type: z.literal('sqs'), url: httpUrl }),
});
export type DeployedConfig = z.infer<typeof deployedSchema>;

/** Where `deploy` writes the deployment record, beside the author's config; what the operations commands read. */
export const DEPLOYED_CONFIG_FILE = 'deployed.config.json';

/** Validates a parsed config; `origin` names the file in errors. */
export function parseConfig(raw: unknown, origin: string): DigestConfig {
  return parseWith(configSchema, raw, origin);
}

/** Validates the deployed profile; `origin` names the author's file and the profile in errors. */
export function parseDeployedConfig(raw: unknown, origin: string): DeployedConfig {
  return parseWith(deployedSchema, raw, origin);
}

function parseWith<T extends z.ZodType>(schema: T, raw: unknown, origin: string): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) {
    const data = result.data as { review?: unknown; schedule?: unknown };
    if (data.review && !data.schedule) {
      throw new ConfigError(
        `${origin} is not a valid config:\n  review: needs schedule (the draft is made leadHours before the scheduled send, and its links expire then)`,
      );
    }
  }
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
