/**
 * What `pinboard-digest init` writes, as text: the commented config (JSON with comments, read by loadConfig)
 * and `.env.example`. The `--source` shorthand is read here too. No I/O: commands/init.ts asks, checks and
 * writes.
 */
import path from 'node:path';
import type { SourceConfig } from '../config';
import { ENV } from '../env';
import { UsageError } from './command';

/** The sample bookmarks' file name in the new folder, and the Pinboard user they are said to come from. */
export const SAMPLE_BOOKMARKS = 'sample-bookmarks.json';
const SAMPLE_USER = 'examplecurator';

/** What `--source` may say, for help and errors. */
export const SOURCE_FORMS =
  '"sample" (the sample bookmarks), "pinboard-api:USER", "rss:USER" or "rss:USER/TAG" (Pinboard\'s public feed), a feed URL (https://…), or a Pinboard JSON export file (PATH or file:PATH)';

export interface InitAnswers {
  title: string;
  from: string;
  siteUrl: string;
  /** As typed: see parseSourceFlag. */
  source: string;
  /** The author's time zone (IANA name): the schedule's and the issue dates'. */
  timezone: string;
}

export interface ChosenSource {
  config: SourceConfig;
  /** True for the sample bookmarks, which init copies beside the config. */
  sample: boolean;
  /** A file source's absolute path (to say when it does not exist yet). */
  file?: string;
}

/**
 * `--source` to a source entry. `dir` is the new config's folder and `cwd` where the command runs: a file
 * path is typed relative to `cwd` and written relative to `dir`, as the config's paths are read.
 */
export function parseSourceFlag(value: string, dir: string, cwd: string): ChosenSource {
  const text = value.trim();
  if (text === '' || text === 'sample') {
    return { config: { type: 'file', path: SAMPLE_BOOKMARKS, user: SAMPLE_USER }, sample: true };
  }
  const prefixed = /^(pinboard-api|api|pinboard-rss|rss|file):(.*)$/i.exec(text);
  if (prefixed) {
    const kind = (prefixed[1] ?? '').toLowerCase();
    const rest = (prefixed[2] ?? '').trim();
    if (kind === 'file') return fileSource(rest, dir, cwd);
    const [user = '', tag, ...more] = rest.split('/');
    if (!/^[^\s:/]+$/.test(user) || more.length > 0 || (tag !== undefined && !/^\S+$/.test(tag))) {
      throw new UsageError(`--source: "${value}" does not name a Pinboard user (try ${kind}:USER)`);
    }
    if (kind === 'pinboard-api' || kind === 'api') {
      if (tag !== undefined) throw new UsageError(`--source: the API source takes no tag ("${value}")`);
      return { config: { type: 'pinboard-api', user }, sample: false };
    }
    return { config: { type: 'pinboard-rss', user, ...(tag ? { tag } : {}) }, sample: false };
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      return { config: { type: 'feed', url: new URL(text).href }, sample: false };
    } catch {
      throw new UsageError(`--source: "${value}" is not a URL`);
    }
  }
  if (/^[a-z][\w+.-]*:\/\//i.test(text)) {
    throw new UsageError(`--source: "${value}": a feed must be an http(s) URL; the forms are ${SOURCE_FORMS}`);
  }
  return fileSource(text, dir, cwd);
}

function fileSource(typed: string, dir: string, cwd: string): ChosenSource {
  if (typed === '') throw new UsageError('--source: file: needs a path (file:pinboard_export.json)');
  const file = path.resolve(cwd, typed);
  // An absolute path stays absolute; a relative one is rewritten to be read from the config's folder.
  const written = path.isAbsolute(typed) ? file : path.relative(dir, file).split(path.sep).join('/');
  return { config: { type: 'file', path: written || file }, sample: false, file };
}

/** `Title <digest@host>`: the display name quoted when it holds characters an address header would misread. */
export function defaultFrom(title: string, siteUrl: string): string {
  let host = 'example.com';
  try {
    const h = new URL(siteUrl).hostname;
    if (h.includes('.') && !/^(127\.|localhost$|\[)/.test(h) && !/^\d+(\.\d+){3}$/.test(h)) host = h;
  } catch {
    // the site URL is checked on its own; a default is only a suggestion
  }
  const name = /^[\w .'-]+$/u.test(title) ? title : JSON.stringify(title.replace(/[\r\n]+/g, ' '));
  return `${name} <digest@${host}>`;
}

const json = (value: unknown) => JSON.stringify(value);

/** One source entry as the config shows it: keys in the schema's order, on one line. */
const sourceLine = (s: SourceConfig) =>
  `{ ${Object.entries(s)
    .map(([key, value]) => `${json(key)}: ${json(value)}`)
    .join(', ')} }`;

/** The commented `digest.config.json`. Every value is JSON-encoded, so nothing typed can break the file. */
export function configText(answers: InitAnswers, source: ChosenSource, today: string): string {
  const firstIssue = source.sample
    ? [
        '  // How far the first issue reaches back. The sample bookmarks are from November 2026, so this one reaches',
        '  // ten years; with your own source 7 (the default) is usual. Later issues start where the last one ended.',
        '  "select": { "excludeTags": ["nodigest"], "firstIssueDays": 3650 },',
      ]
    : [
        '  // Which bookmarks: leave out those tagged "nodigest"; the first issue reaches 7 days back, later ones',
        '  // start where the last one ended. (Also: "includeTags", "includeToRead", "minBookmarks", "maxBookmarks".)',
        '  "select": { "excludeTags": ["nodigest"], "firstIssueDays": 7 },',
      ];
  const sourceNote = source.sample
    ? '  // Where links come from: now the sample bookmarks copied beside this file. To use your own, one of:'
    : '  // Where links come from. Other kinds (or a list of several, merged into one digest):';
  return `${[
    `// pinboard-digest config, written by \`pinboard-digest init\` on ${today}.`,
    '// JSON with comments. Every key is described in the README ("Configuration"); an unknown key or a bad value',
    '// stops the run, naming it. Paths to inputs are relative to this file, output folders to where you run the',
    '// command. Check it all with `pinboard-digest doctor`.',
    '{',
    '  // The digest\'s name: in the subject ("Title #3: 12 links"), the heading and the List-Id header.',
    `  "title": ${json(answers.title)},`,
    '  // A line under the heading, and the language of the email (dates, "1 link" / "5 links").',
    `  "intro": ${json("I find this stuff so that you don't have to. Here is what caught my eye since the last issue.")},`,
    '  "lang": "en",',
    '  // Base of the sign-up, confirm and unsubscribe links: https, or http://127.0.0.1:PORT while you try it',
    '  // locally with `pinboard-digest serve --port PORT`.',
    `  "siteUrl": ${json(answers.siteUrl)},`,
    '  // The sender. With Amazon SES its domain must be a verified identity with DKIM (doctor checks it).',
    `  "from": ${json(answers.from)},`,
    '  // "replyTo": "you@example.com",',
    '  // Your copy of the templates (MJML and Handlebars): edit them, then run `pinboard-digest preview`.',
    '  "templates": "templates",',
    sourceNote,
    `  //   { "type": "pinboard-api", "user": "you" }                           your bookmarks; needs ${ENV.pinboardToken}`,
    '  //   { "type": "pinboard-rss", "user": "you", "tag": "digest" }          your public bookmarks, no token',
    '  //   { "type": "feed", "url": "https://links.example.com/feed" }         any RSS, Atom or JSON Feed',
    '  //   { "type": "file", "path": "pinboard_export.json", "user": "you" }   a Pinboard JSON export',
    `  "source": ${sourceLine(source.config)},`,
    ...firstIssue,
    '  // Sections, in order: a link goes to the first one sharing a tag with it, the rest to otherSectionTitle.',
    '  // Without "sections", links are grouped by their first public tag; a tag with only one link in the',
    '  // issue makes no section of its own (that link goes to otherSectionTitle). Links go oldest first.',
    '  // "sections": [{ "title": "Programming", "tags": ["programming", "javascript"] }],',
    '  "otherSectionTitle": "Everything else",',
    '  // Delivery: a folder of .eml files to look at; for real mail through Amazon SES (needs',
    `  // ${ENV.signingSecret} and AWS credentials; \`send --to you@example.com\` sends yourself a test first):`,
    '  //   "transport": { "type": "ses", "configurationSet": "pinboard-digest" },',
    '  "transport": { "type": "outbox", "dir": "outbox" },',
    '  // State (subscribers, issues, what went out) is kept in .digest/ where you run the command (or --state DIR);',
    '  // on AWS in DynamoDB:',
    '  //   "store": { "type": "dynamodb", "table": "pinboard-digest" },',
    '  // When the AWS deployment sends (EventBridge Scheduler cron, in this time zone, which also dates issues).',
    `  "schedule": { "cron": "0 7 ? * SAT *", "timezone": ${json(answers.timezone)} }`,
    '}',
  ].join('\n')}\n`;
}

/** `.env.example`: every secret and setting the environment gives, named from env.ts so they cannot drift. */
export function envExampleText(): string {
  return `${[
    '# The secrets and settings pinboard-digest reads from the environment (never from the config).',
    '# Copy to .env, fill in, keep it out of version control, and load it before a command:',
    '#   set -a; . ./.env; set +a',
    '',
    '# Pinboard → Settings → Password → API token (user:HEX). Only for a "pinboard-api" source.',
    `${ENV.pinboardToken}=`,
    '',
    '# Signs unsubscribe and confirm links (HMAC): at least 32 characters, e.g. `openssl rand -base64 48`.',
    '# Needed for SES; with the outbox a key is made in the state folder. To rotate: "NEW OLD" (space between).',
    `${ENV.signingSecret}=`,
    '',
    '# Optional: where state is kept (default .digest/ where you run the command).',
    `# ${ENV.stateDir}=.digest`,
    '',
    '# Amazon SES and DynamoDB: the AWS SDK reads its own variables (or use AWS_PROFILE).',
    '# AWS_REGION=eu-west-1',
    '# AWS_PROFILE=default',
    '',
    '# Only for tests or stand-ins: other endpoints.',
    `# ${ENV.pinboardApiUrl}=https://api.pinboard.in/v1`,
    `# ${ENV.pinboardFeedsUrl}=https://feeds.pinboard.in`,
  ].join('\n')}\n`;
}
