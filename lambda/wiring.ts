/**
 * The composition root: config and environment in, adapters out. Nothing else constructs an adapter.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDbStore } from './adapters/dynamodb-store';
import { FileStore } from './adapters/file-store';
import { safeUrl } from './adapters/http';
import { InProcessQueue } from './adapters/in-process-queue';
import { HttpLinkChecker } from './adapters/link-checker';
import { OutboxMailer } from './adapters/outbox';
import { pinboardProfileUrl, pinboardTagUrl } from './adapters/pinboard-post';
import { SesMailer } from './adapters/ses-mailer';
import { FileSitePublisher } from './adapters/site-files';
import { loadSiteTemplates } from './adapters/site-templates';
import { SqsSendQueue } from './adapters/sqs-queue';
import { DEFAULT_TEMPLATES_DIR, loadConfirmTemplates, loadTemplates } from './adapters/template-files';
import {
  type DeployedConfig,
  type DigestConfig,
  type LoadedConfig,
  loadConfig,
  parseDeployedConfig,
  type SourceConfig,
} from './config';
import type { ComposeOptions } from './core/compose';
import { ConfigError } from './core/errors';
import { offeredSections } from './core/prefs';
import { concurrencyFor, createRateLimiter } from './core/rate-limiter';
import { siteBase } from './core/site-url';
import { DEFAULT_PINBOARD_API_URL, DEFAULT_PINBOARD_FEEDS_URL, ENV, LAMBDA_ENV } from './env';
import type { ComposeNextDeps, LinkCheckDeps } from './jobs/compose-next';
import type { Quota } from './jobs/consume-issue';
import type { SiteDeps } from './jobs/publish-site';
import type { ReviewDeps } from './jobs/review';
import { actOnReviewLink } from './jobs/review-links';
import type { BookmarkSource, NamedSource } from './ports/bookmark-source';
import type { Mailer } from './ports/mailer';
import type { Output } from './ports/output';
import type { DrainableQueue, SendQueue } from './ports/queue';
import type { ReviewActions } from './ports/review';
import type { Store } from './ports/store';
import { domainOf, type MessageContext, sampleUnsubscribeUrl } from './render/message';
import { createRenderer, type RenderContext } from './render/renderer';
import type { SiteContext, SiteTemplates } from './render/site-pages';
import { createSiteRenderer } from './render/site-pages';
import { signupPage } from './render/subscription-pages';
import type { CompiledTemplates } from './render/templates';

/** The project's own templates (what `init` copies for the author to edit). */
export { DEFAULT_TEMPLATES_DIR };

/**
 * The source adapters load when a source is first built, not when this module is: the send-batch and
 * ses-events functions never read a source, and rss-parser and its XML stack cost them cold-start time.
 */
const sourceAdapters = {
  feed: () => require('./adapters/feed') as typeof import('./adapters/feed'),
  pinboardApi: () => require('./adapters/pinboard-api') as typeof import('./adapters/pinboard-api'),
  file: () => require('./adapters/bookmark-file') as typeof import('./adapters/bookmark-file'),
};

export interface WiringOptions {
  /** `--state` or DIGEST_STATE_DIR; default `.digest/` in the working directory. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: (line: string) => void;
  /** Preview: change nothing on disk (no local signing key is written; a throwaway one is used). */
  readOnly?: boolean;
  /** Templates compiled ahead (the functions' bundle): then no MJML is loaded at all. */
  templates?: CompiledTemplates;
  /** The confirmation email's templates compiled ahead (the bundle). */
  confirmTemplates?: CompiledTemplates;
  /** This process sends a 1/N share of the SES rate (one of N send-batch invocations on AWS). */
  rateShare?: number;
  /** `doctor`: a source call is tried once, within this time, so a check reports what it met instead of waiting. */
  probe?: { timeoutMs: number };
}

export interface Transport {
  mailer: Mailer;
  concurrency: number;
  /** Messages per second, when paced. */
  rate?: number;
  acquire?: () => Promise<void>;
  refund?: () => void;
}

/** Messages in flight at once on the outbox; also the most a crash can write twice. */
const OUTBOX_CONCURRENCY = 4;
/** When SES does not say its rate (GetSendQuota timed out), the sandbox rate is safe. */
const FALLBACK_SES_RATE = 1;

type TransportConfig = DigestConfig['transport'];

/** A transport made real: its mailer, how fast it may send, and its daily quota. */
interface TransportAdapter {
  mailer: Mailer;
  pace: () => Promise<Transport>;
  quota: () => Promise<Quota | undefined>;
}

interface TransportContext {
  cwd: string;
  log: (line: string) => void;
  /** This process sends a 1/N share of the rate. */
  rateShare: number;
}

/**
 * Every transport, by `transport.type`: a second transport is its adapter (a Mailer) and one entry here. The
 * type makes the table complete: a `transport.type` the config schema allows without an entry does not compile.
 */
const TRANSPORTS: {
  [K in TransportConfig['type']]: (t: Extract<TransportConfig, { type: K }>, ctx: TransportContext) => TransportAdapter;
} = {
  outbox: (t, ctx) => {
    const mailer = new OutboxMailer(path.resolve(ctx.cwd, t.dir));
    return { mailer, pace: async () => ({ mailer, concurrency: OUTBOX_CONCURRENCY }), quota: async () => undefined };
  },
  ses: (t, ctx) => {
    const mailer = new SesMailer({ configurationSet: t.configurationSet });
    return { mailer, pace: () => sesPace(mailer, t.maxSendRate, ctx), quota: () => sesQuota(mailer) };
  },
};

function buildTransport(t: TransportConfig, ctx: TransportContext): TransportAdapter {
  const build = TRANSPORTS[t.type] as (t: TransportConfig, ctx: TransportContext) => TransportAdapter;
  return build(t, ctx);
}

/** SES at `transport.maxSendRate`, else at the account's rate (GetSendQuota), shared by `rateShare` senders. */
async function sesPace(mailer: SesMailer, configured: number | undefined, ctx: TransportContext): Promise<Transport> {
  let rate = configured;
  if (rate === undefined) {
    rate = await mailer.maxSendRate();
    if (rate === undefined) {
      ctx.log(
        `SES GetSendQuota did not answer: pacing at ${FALLBACK_SES_RATE}/s (set transport.maxSendRate to choose)`,
      );
      rate = FALLBACK_SES_RATE;
    } else {
      ctx.log(`SES account send rate: ${rate}/s`);
    }
  }
  if (ctx.rateShare > 1) {
    rate /= ctx.rateShare;
    ctx.log(`this sender takes 1/${ctx.rateShare} of the rate: ${rate.toFixed(2)}/s`);
  }
  const limiter = createRateLimiter(rate);
  return {
    mailer,
    rate,
    concurrency: concurrencyFor(rate),
    acquire: () => limiter.acquire(),
    refund: () => limiter.refund(),
  };
}

/** The SES 24-hour quota as the send fleet needs it, or undefined when SES does not answer or has no limit. */
async function sesQuota(mailer: SesMailer): Promise<Quota | undefined> {
  const q = await mailer.sendQuota();
  if (!q || q.max24HourSend < 0 || !Number.isFinite(q.max24HourSend)) return undefined; // -1: unlimited
  return {
    remaining: Math.max(0, q.max24HourSend - q.sentLast24Hours),
    usedRatio: q.max24HourSend > 0 ? Math.min(1, q.sentLast24Hours / q.max24HourSend) : 1,
  };
}

export interface App {
  config: Readonly<DigestConfig | DeployedConfig>;
  origin: string;
  stateDir: string;
  templatesDir: string;
  /** The templates compiled, MJML through the on-disk cache (node_modules/.cache). */
  templates: () => Promise<CompiledTemplates>;
  /** The confirmation email's templates: the author's if their folder has them, else the project's. */
  confirmTemplates: () => Promise<CompiledTemplates>;
  /** Absolute path of `subscribersSeed`, if set. */
  subscribersSeed?: string;
  store: Store;
  /** The send queue of the deployed profile (SQS), else one in this process. Built once. */
  queue: () => SendQueue;
  /** A new queue in this process, drained by the CLI's own consumer (cli/deliver.ts). */
  localQueue: () => DrainableQueue;
  /** Preview: the run changes nothing (no signing key, no first-seen or cursor memos written). */
  readOnly: boolean;
  /** The config's sources, in order; built on first use: a `subscribers list` needs no token. */
  sources: () => NamedSource[];
  /** What the run reads from, for its first log line: the source, or "N sources: …". */
  source: () => Pick<BookmarkSource, 'description'>;
  mailer: () => Mailer;
  /** The mailer with its pace: SES at the configured or the account's rate; the outbox unpaced. */
  transport: () => Promise<Transport>;
  /** The provider's 24-hour quota now, if it has one and says (SES GetSendQuota); the outbox has none. */
  quota: () => Promise<Quota | undefined>;
  message: () => MessageContext;
  render: RenderContext;
  compose: ComposeOptions & { firstIssueDays: number };
}

/** The config's sources as a list, whichever way it was written. */
export const sourceList = (config: Pick<DigestConfig, 'source'>): readonly SourceConfig[] =>
  Array.isArray(config.source) ? config.source : [config.source];

/**
 * The id a source's cursor is kept under: what names it in the config (Pinboard user and tag, feed URL,
 * file path), hashed, since a feed URL may carry a secret. Changing that entry starts a new cursor.
 */
export function sourceId(s: SourceConfig): string {
  const identity =
    s.type === 'pinboard-api'
      ? [s.user.toLowerCase()]
      : s.type === 'pinboard-rss'
        ? [s.user.toLowerCase(), s.tag ?? '']
        : s.type === 'feed'
          ? [s.url]
          : [s.path];
  return `${s.type}:${createHash('sha256').update(JSON.stringify(identity)).digest('base64url').slice(0, 16)}`;
}

/** The Pinboard user of the first source that has one: its profile and tag pages are linked. */
function pinboardUser(config: DigestConfig): string | undefined {
  for (const s of sourceList(config)) {
    if (s.type === 'pinboard-api' || s.type === 'pinboard-rss' || (s.type === 'file' && s.user)) return s.user;
  }
  return undefined;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'digest';

/** The signing key: DIGEST_SIGNING_SECRET, or for a local store a random key kept in the state dir. */
function signingSecret(
  env: NodeJS.ProcessEnv,
  stateDir: string,
  config: DigestConfig,
  log: (l: string) => void,
  readOnly: boolean,
) {
  const fromEnv = env[ENV.signingSecret]?.trim();
  if (fromEnv) {
    if (fromEnv.length < 32) throw new ConfigError(`${ENV.signingSecret} must be at least 32 characters long`);
    return fromEnv;
  }
  // A preview goes to a made-up reader: a throwaway key signs its link.
  if (readOnly && config.transport.type !== 'outbox') return randomBytes(32).toString('base64url');
  if (config.transport.type !== 'outbox') {
    const deployed = config.deployment;
    // Against a deployment, the key is the deployed one: links it signs must verify on AWS.
    const fetch = deployed
      ? `: the deployment's key is in Secrets Manager, export ${ENV.signingSecret}="$(aws secretsmanager get-secret-value --region ${deployed.region} --secret-id ${deployed.secrets.signingKey} --query SecretString --output text)"`
      : '';
    throw new ConfigError(
      `${ENV.signingSecret} is not set: it signs unsubscribe links, and real mail needs it${fetch}`,
    );
  }
  const file = path.join(stateDir, 'signing.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    if (readOnly) return randomBytes(32).toString('base64url');
    mkdirSync(stateDir, { recursive: true });
    const key = randomBytes(32).toString('base64url');
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    log(`${ENV.signingSecret} is not set: made a local signing key in ${file} (outbox only)`);
    return key;
  }
}

export function buildApp(loaded: LoadedConfig, options: WiringOptions = {}): App {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? (() => {});
  const { config, baseDir } = loaded;
  const stateDir = path.resolve(
    cwd,
    options.stateDir ?? env[ENV.stateDir] ?? (config.store?.type === 'file' ? config.store.dir : '.digest'),
  );
  const inputPath = (p: string) => path.resolve(baseDir, p);

  const store: Store =
    config.store?.type === 'dynamodb'
      ? new DynamoDbStore({
          table: config.store.table,
          claimTtlMs: config.store.claimTtlSeconds * 1000,
          lockLeaseMs: config.store.lockLeaseSeconds * 1000,
        })
      : new FileStore(stateDir);

  const buildSource = (s: SourceConfig): BookmarkSource => {
    const { maxBodyBytes } = config.sourceLimits;
    // A feed keeps when it first saw each undated item; a preview reads that memory but never writes it.
    // doctor reads a feed as it reads the Pinboard API: once, within its check's time.
    const feedState = {
      maxBodyBytes,
      memo: store,
      readOnly: options.readOnly ?? false,
      ...probeOptions(options.probe, store),
    };
    switch (s.type) {
      case 'pinboard-api': {
        const token = env[ENV.pinboardToken]?.trim();
        if (!token) {
          throw new ConfigError(
            `source.type is "pinboard-api": set ${ENV.pinboardToken} to your API token (user:HEX, Pinboard → Settings → Password)`,
          );
        }
        if (token.split(':')[0]?.toLowerCase() !== s.user.toLowerCase()) {
          log(`warning: ${ENV.pinboardToken} belongs to another user than source.user "${s.user}"`);
        }
        const { PinboardApiSource } = sourceAdapters.pinboardApi();
        return new PinboardApiSource({
          baseUrl: env[ENV.pinboardApiUrl]?.trim() || DEFAULT_PINBOARD_API_URL,
          token,
          memo: store,
          log,
          maxBodyBytes,
          ...probeOptions(options.probe, store),
        });
      }
      case 'pinboard-rss': {
        const { FeedSource, PINBOARD_FEED_COUNT, pinboardFeedUrl } = sourceAdapters.feed();
        const base = env[ENV.pinboardFeedsUrl]?.trim() || DEFAULT_PINBOARD_FEEDS_URL;
        return new FeedSource({
          url: pinboardFeedUrl(base, s.user, s.tag),
          label: `Pinboard feed of ${s.user}${s.tag ? ` tagged ${s.tag}` : ''}`,
          requestedCount: PINBOARD_FEED_COUNT,
          ...feedState,
        });
      }
      case 'feed': {
        const { FeedSource } = sourceAdapters.feed();
        return new FeedSource({ url: s.url, label: `feed ${safeUrl(s.url)}`, ...feedState });
      }
      case 'file': {
        const { BookmarkFileSource } = sourceAdapters.file();
        return new BookmarkFileSource(inputPath(s.path));
      }
    }
  };

  let builtSources: NamedSource[] | undefined;
  const sources = (): NamedSource[] => {
    builtSources ??= sourceList(config).map((s) => ({ id: sourceId(s), source: buildSource(s) }));
    return builtSources;
  };
  const source = (): Pick<BookmarkSource, 'description'> => {
    const all = sources();
    if (all.length === 1 && all[0]) return all[0].source;
    return { description: `${all.length} sources: ${all.map((s) => s.source.description).join('; ')}` };
  };

  let builtQueue: SendQueue | undefined;
  let builtTransport: TransportAdapter | undefined;
  const transportAdapter = (): TransportAdapter => {
    builtTransport ??= buildTransport(config.transport, { cwd, log, rateShare: options.rateShare ?? 1 });
    return builtTransport;
  };

  let messageContext: MessageContext | undefined;
  const message = (): MessageContext => {
    messageContext ??= {
      from: config.from,
      replyTo: config.replyTo,
      listId: { name: config.title, id: config.listId ?? `${slug(config.title)}.${domainOf(config.from)}` },
      siteUrl: config.siteUrl,
      secret: signingSecret(env, stateDir, config, log, options.readOnly ?? false),
      mailtoUnsubscribe: config.subscriptions.mailtoUnsubscribe,
      mailtoAddress: config.subscriptions.mailtoAddress,
    };
    return messageContext;
  };

  const user = pinboardUser(config);
  const templatesDir = config.templates ? inputPath(config.templates) : DEFAULT_TEMPLATES_DIR;
  return {
    config,
    origin: loaded.origin,
    stateDir,
    templatesDir,
    templates: options.templates
      ? async () => options.templates as CompiledTemplates
      : () => loadTemplates(templatesDir),
    confirmTemplates: options.confirmTemplates
      ? async () => options.confirmTemplates as CompiledTemplates
      : () => loadConfirmTemplates(templatesDir),
    ...(config.subscribersSeed ? { subscribersSeed: inputPath(config.subscribersSeed) } : {}),
    store,
    queue: () => {
      const deployed = (config as Partial<DeployedConfig>).queue;
      builtQueue ??= deployed ? new SqsSendQueue({ queueUrl: deployed.url }) : new InProcessQueue();
      return builtQueue;
    },
    localQueue: () => new InProcessQueue(),
    readOnly: options.readOnly ?? false,
    sources,
    source,
    mailer: () => transportAdapter().mailer,
    transport: () => transportAdapter().pace(),
    quota: () => transportAdapter().quota(),
    message,
    render: {
      title: config.title,
      intro: config.intro,
      footer: config.footer,
      siteUrl: config.siteUrl,
      lang: config.lang,
      timeZone: config.schedule?.timezone ?? 'UTC',
      ...(user ? { profileUrl: pinboardProfileUrl(user), tagUrl: (tag: string) => pinboardTagUrl(user, tag) } : {}),
    },
    compose: {
      ...config.select,
      sections: config.sections,
      otherSectionTitle: config.otherSectionTitle,
      timeZone: config.schedule?.timezone ?? 'UTC',
    },
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set (the CDK digest stack sets it on every function)`);
  return value;
}

/**
 * The deployed profile: the author's config with what the stacks deployed (the table, SES with its
 * configuration set, the send queue), checked by the config schema like any config (config.ts
 * `deployedSchema`). The store's claim and lock times are the schema's defaults; links are checked unless
 * the config says `"enabled": false` (the CLI's default is off); the CLI's subscriber seed does not apply.
 */
export function deployedProfile(loaded: LoadedConfig, env: NodeJS.ProcessEnv): LoadedConfig {
  const { config } = loaded;
  const maxSendRate = config.transport.type === 'ses' ? config.transport.maxSendRate : undefined;
  const profile = {
    ...config,
    store: { type: 'dynamodb', table: required(env, LAMBDA_ENV.table) },
    transport: {
      type: 'ses',
      configurationSet: required(env, LAMBDA_ENV.configurationSet),
      ...(maxSendRate ? { maxSendRate } : {}),
    },
    queue: { type: 'sqs', url: required(env, LAMBDA_ENV.queueUrl) },
    subscribersSeed: undefined,
    linkCheck: { ...config.linkCheck, enabled: config.linkCheck.enabled ?? true },
  };
  const origin = `${loaded.origin}, deployed`;
  return { ...loaded, origin, config: Object.freeze(parseDeployedConfig(profile, origin)) };
}

/** Compiles the templates (MJML once per process, or the bundle's) and gathers what composing needs. */
export async function composeDeps(app: App): Promise<ComposeNextDeps> {
  const templates = await app.templates();
  return {
    sources: app.sources(),
    sourceFailure: app.config.sourceFailure,
    store: app.store,
    readOnly: app.readOnly,
    render: createRenderer(templates, app.render),
    options: app.compose,
    // Letters and digits only: HTML escaping leaves it intact, and no bookmark text can guess it.
    placeholder: `pdunsub${randomBytes(12).toString('hex')}`,
    sampleUnsubscribeUrl: sampleUnsubscribeUrl(app.message()),
    ...linkCheckDeps(app.config),
  };
}

/**
 * The author's review (config `review`), or nothing: what `draft`, `approve`, `hold`, `note` and the review
 * pages need. The compose deps are writable (a draft records its source cursors as an issue does).
 */
export async function reviewDeps(app: App, now: () => Date = () => new Date()): Promise<ReviewDeps | undefined> {
  const { review, schedule } = app.config;
  if (!review || !schedule) return undefined;
  const receiveReplies =
    app.config.subscriptions.receiveReplies && app.config.subscriptions.mailtoAddress !== undefined;
  return {
    store: app.store,
    compose: await composeDeps(app),
    settings: review,
    schedule,
    preflight: {
      mailer: app.mailer(),
      // With SES receiving at the mailto address (AWS), a reply to the preflight goes there and sets the note.
      message: receiveReplies ? { ...app.message(), replyTo: app.config.subscriptions.mailtoAddress } : app.message(),
      title: app.render.title,
      lang: app.render.lang,
      replyForNote: receiveReplies,
    },
    now,
  };
}

/**
 * Where the review pages' buttons and the reply door act: on AWS (compose-issue's name in the environment)
 * the compose-issue function, the one that may read the sources; elsewhere this process, the review deps
 * built on the first action (they compose). Here a late approval is sent by `send`, which this host does not run.
 */
export function reviewActions(app: App, env: NodeJS.ProcessEnv = process.env): ReviewActions {
  // In a function, its environment names compose-issue; from the CLI, the deployment record does.
  const composeFunction = env[LAMBDA_ENV.composeFunction]?.trim() || app.config.deployment?.functions.composeIssue;
  if (composeFunction) {
    const { LambdaClient } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
    const { LambdaReviewActions } = require('./adapters/lambda-review') as typeof import('./adapters/lambda-review');
    return new LambdaReviewActions(new LambdaClient({}), composeFunction);
  }
  let deps: Promise<ReviewDeps> | undefined;
  const build = async () => {
    const built = await reviewDeps(app);
    if (!built)
      throw new ConfigError(`${app.origin} has no review and schedule: the review pages have nothing to act on`);
    return built;
  };
  const once = () => {
    deps ??= build();
    return deps;
  };
  return {
    act: async (request) => actOnReviewLink(await once(), request),
    sendNow: async () => 'run `pinboard-digest send` to send it now.',
  };
}

/**
 * The link check the config asks for, or nothing. `linkCheck.enabled` left out is off here; the functions
 * on AWS turn it on (`deployedProfile`).
 */
export function linkCheckDeps(config: Pick<DigestConfig, 'linkCheck' | 'siteUrl'>): { linkCheck?: LinkCheckDeps } {
  const c = config.linkCheck;
  if (!c.enabled) return {};
  const checker = new HttpLinkChecker({
    timeoutMs: c.timeoutMs,
    concurrency: c.concurrency,
    perHost: c.perHost,
    followRedirects: c.followRedirects,
    maxRedirects: c.maxRedirects,
    allowPrivateHosts: c.allowPrivateHosts,
    // Says who asks and where to read why: a site owner seeing HEAD requests can find the digest.
    userAgent: c.userAgent ?? `pinboard-digest-linkcheck/1 (+${config.siteUrl})`,
  });
  return {
    linkCheck: {
      checker,
      policy: { action: c.action, keepFinalUrl: c.keepFinalUrl, holdDays: c.holdDays },
      deadlineMs: c.deadlineMs,
    },
  };
}

/** Where `send` and `preview` write the archive locally (preview: under its --out folder). */
export const LOCAL_SITE_DIR = 'out/site';

/**
 * The archive: rendered from the site templates (the author's templates/site/, else the project's; on AWS
 * the bundle's) and written to a folder locally or to the site bucket on AWS.
 */
export async function siteDeps(
  app: App,
  target: { dir: string } | { bucket: string },
  templates?: SiteTemplates,
): Promise<SiteDeps> {
  const r = app.render;
  const context: SiteContext = {
    title: r.title,
    intro: r.intro,
    lang: r.lang,
    siteUrl: r.siteUrl,
    timeZone: r.timeZone,
    profileUrl: r.profileUrl,
    tagUrl: r.tagUrl,
    subscribeUrl: `${siteBase(r.siteUrl)}/`,
    // On AWS the distribution's root is the signup page (its form posts to /subscribe, served by the API).
    ...('bucket' in target
      ? {
          rootPage: (links: { latestIssueUrl?: string; archiveUrl: string }) =>
            signupPage(
              { title: r.title, intro: r.intro, lang: r.lang, sections: offeredSections(app.compose), ...links },
              { static: true },
            ),
        }
      : {}),
  };
  // The S3 client loads only where the bucket is written (compose-issue), never in the CLI.
  const publisher =
    'bucket' in target
      ? new (require('./adapters/site-s3') as typeof import('./adapters/site-s3')).S3SitePublisher({
          bucket: target.bucket,
        })
      : new FileSitePublisher(target.dir);
  const renderer = createSiteRenderer(templates ?? (await loadSiteTemplates(app.templatesDir)), context);
  return { store: app.store, publisher, renderer, context };
}

/**
 * `doctor`'s source calls: one attempt within the check's time, and a store that cannot be read or written does
 * not stand in the way (doctor's store check reports that): pacing then has no memory of earlier calls.
 */
function probeOptions(probe: WiringOptions['probe'], store: Store) {
  if (!probe) return {};
  return {
    timeoutMs: probe.timeoutMs,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, jitter: 0 },
    memo: {
      getMemo: (key: string) => store.getMemo(key).catch(() => undefined),
      putMemo: (key: string, value: string) => store.putMemo(key, value).catch(() => {}),
    },
  };
}

export interface CommonFlags {
  config?: string;
  state?: string;
}

/** What every host that reads a config file needs first: config loaded, adapters wired, templates compiled once. */
export function openApp(flags: CommonFlags, output: Pick<Output, 'err'>, readOnly = false): App {
  const loaded = loadConfig(flags.config);
  // deployed.config.json: the AWS SDK's clients go to the deployment's region, whatever the shell says (the
  // table, SES identity and secrets are there), as the operations commands' do (wiring/operate.ts).
  const region = loaded.config.deployment?.region;
  if (region) process.env.AWS_REGION = region;
  return buildApp(loaded, { stateDir: flags.state, log: (line) => output.err(line), readOnly });
}
