/**
 * `init [DIR]`: a new digest in DIR (default here): a commented digest.config.json, a copy of the templates to
 * edit, `.env.example` naming the secrets, and the sample bookmarks when no source is given. Asks for what the
 * flags leave out when it runs on a terminal, nothing otherwise. Never overwrites a file without --force, and
 * writes nothing at all when it would have to. What it writes is checked with the config loader first.
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXAMPLE_CONFIG, parseConfig } from '../../config';
import { parseJsonc } from '../../core/jsonc';
import { siteUrlProblem } from '../../core/site-url';
import { DEFAULT_TEMPLATES_DIR } from '../../wiring';
import { type Ask, terminalAsk } from '../ask';
import { type Command, stringFlag, UsageError } from '../command';
import {
  type ChosenSource,
  configText,
  defaultFrom,
  envExampleText,
  type InitAnswers,
  parseSourceFlag,
  SAMPLE_BOOKMARKS,
  SOURCE_FORMS,
} from '../init-files';
import type { Output } from '../output';

export const CONFIG_FILE = 'digest.config.json';
export const ENV_EXAMPLE_FILE = '.env.example';
export const TEMPLATES_FOLDER = 'templates';
const DEFAULT_TITLE = 'Links I Found';
const DEFAULT_SITE_URL = 'http://127.0.0.1:8080';
const PROJECT_ROOT = path.resolve(__dirname, '../../..');

export interface InitFlags {
  dir?: string;
  title?: string;
  from?: string;
  source?: string;
  siteUrl?: string;
  force?: boolean;
}

/** Asks until `check` accepts the answer (three tries), or takes the flag's value as given. */
async function answer<T>(
  flag: string | undefined,
  ask: Ask | undefined,
  question: string,
  fallback: string,
  check: (value: string) => T,
  output: Output,
): Promise<{ text: string; value: T }> {
  if (flag !== undefined || !ask) {
    const text = flag ?? fallback;
    return { text, value: check(text) };
  }
  for (let attempt = 1; ; attempt++) {
    const text = await ask(question, fallback);
    try {
      return { text, value: check(text) };
    } catch (error) {
      if (attempt >= 3) throw error;
      output.err((error as Error).message);
    }
  }
}

function checkSiteUrl(value: string): string {
  const problem = siteUrlProblem(value);
  if (problem) throw new UsageError(`--site-url: "${value}" ${problem}`);
  return value;
}

function checkText(name: string, min: number) {
  return (value: string) => {
    if (value.trim().length < min) throw new UsageError(`--${name}: must not be empty`);
    return value.trim();
  };
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The command that reaches this project from `dir`: npx inside the project, the bin's path outside it. */
function commandFrom(dir: string): string {
  const inside = !path.relative(PROJECT_ROOT, dir).startsWith('..');
  return inside ? 'npx pinboard-digest' : `node ${path.join(PROJECT_ROOT, 'lambda/cli/bin.js')}`;
}

export async function initCommand(
  flags: InitFlags,
  output: Output,
  options: { cwd?: string; ask?: Ask; today?: Date } = {},
): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const dir = path.resolve(cwd, flags.dir ?? '.');
  const terminal = options.ask ? undefined : terminalAsk();
  const ask = options.ask ?? terminal?.ask;
  let answers: InitAnswers;
  let source: ChosenSource;
  try {
    const title = await answer(flags.title, ask, 'Title of the digest', DEFAULT_TITLE, checkText('title', 1), output);
    const src = await answer(
      flags.source,
      ask,
      'Source: sample, pinboard-api:USER, rss:USER, a feed URL or an export file',
      'sample',
      (v) => parseSourceFlag(v, dir, cwd),
      output,
    );
    const site = await answer(
      flags.siteUrl,
      ask,
      'Site URL (the base of unsubscribe links)',
      DEFAULT_SITE_URL,
      checkSiteUrl,
      output,
    );
    const from = await answer(
      flags.from,
      ask,
      'Sender (From)',
      defaultFrom(title.value, site.value),
      checkText('from', 3),
      output,
    );
    source = src.value;
    answers = {
      title: title.value,
      from: from.value,
      siteUrl: site.value,
      source: src.text,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    };
  } finally {
    terminal?.close();
  }

  const today = (options.today ?? new Date()).toISOString().slice(0, 10);
  const config = configText(answers, source, today);
  // What init writes, the loader must accept: checked before anything touches the disk.
  try {
    parseConfig(parseJsonc(config), 'the config init would write');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  // The whole templates folder, subfolders too (the web archive's pages live in templates/site/).
  const templateNames = (await readdir(DEFAULT_TEMPLATES_DIR, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(DEFAULT_TEMPLATES_DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  const files: { target: string; write: () => Promise<void> }[] = [
    { target: CONFIG_FILE, write: () => writeFile(path.join(dir, CONFIG_FILE), config) },
    { target: ENV_EXAMPLE_FILE, write: () => writeFile(path.join(dir, ENV_EXAMPLE_FILE), envExampleText()) },
    ...templateNames.map((name) => ({
      target: `${TEMPLATES_FOLDER}/${name}`,
      write: async () => {
        const target = path.join(dir, TEMPLATES_FOLDER, name);
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(path.join(DEFAULT_TEMPLATES_DIR, name), target);
      },
    })),
    ...(source.sample
      ? [
          {
            target: SAMPLE_BOOKMARKS,
            write: () =>
              copyFile(path.resolve(path.dirname(EXAMPLE_CONFIG), 'bookmarks.json'), path.join(dir, SAMPLE_BOOKMARKS)),
          },
        ]
      : []),
  ];

  if (!flags.force) {
    const taken: string[] = [];
    for (const f of files) if (await exists(path.join(dir, f.target))) taken.push(path.join(dir, f.target));
    if (taken.length > 0) {
      output.err(
        `pinboard-digest init: ${taken.length === 1 ? 'this file exists' : `these ${taken.length} files exist`}, and init does not overwrite:`,
      );
      for (const file of taken) output.err(`  ${file}`);
      output.err(
        'Nothing was written. Choose another folder (pinboard-digest init DIR), or add --force to replace them.',
      );
      return 1;
    }
  }

  await mkdir(path.join(dir, TEMPLATES_FOLDER), { recursive: true });
  for (const f of files) await f.write();

  if (source.file && !(await exists(source.file))) {
    output.err(
      `warning: the source file ${source.file} does not exist yet (export it from Pinboard → Settings → Backup)`,
    );
  }
  const shown = path.relative(cwd, dir) || '.';
  const cli = commandFrom(dir);
  output.out(`Wrote a new digest in ${dir}:`);
  const rows: [string, string][] = [
    [CONFIG_FILE, `the config, with comments (source: ${answers.source || 'sample'})`],
    [`${TEMPLATES_FOLDER}/`, `${templateNames.length} templates to edit`],
    [ENV_EXAMPLE_FILE, 'the secrets to set'],
    ...(source.sample
      ? [[SAMPLE_BOOKMARKS, 'sample bookmarks, until you set your own source'] as [string, string]]
      : []),
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  for (const [name, what] of rows) output.out(`  ${name.padEnd(width)}${what}`);
  output.out('');
  output.out('Next:');
  if (shown !== '.') output.out(`  cd ${shown}`);
  output.out('  cp .env.example .env          # fill in the secrets, then: set -a; . ./.env; set +a');
  output.out(`  ${cli} doctor     # checks the config, token, store, SES, DNS and site`);
  output.out(`  ${cli} preview    # the next issue in out/digest.html, nothing sent`);
  output.out(`  ${cli} send --to you@example.com   # the next issue to you alone, marked as a test`);
  return 0;
}

export const init: Command = {
  name: 'init',
  summary: 'start a new digest: a commented config, templates to edit, .env.example',
  help: `Usage: pinboard-digest init [DIR] [--title T] [--from F] [--source S] [--site-url URL] [--force]

Writes, in DIR (default: here), a commented ${CONFIG_FILE}, a copy of the templates in
${TEMPLATES_FOLDER}/ (the config points there), ${ENV_EXAMPLE_FILE} naming the secrets, and with the
sample source ${SAMPLE_BOOKMARKS}. On a terminal it asks for what the flags leave out; otherwise it
takes the defaults and asks nothing. It never overwrites a file unless --force is given.

  --title T       the digest's name (default "${DEFAULT_TITLE}")
  --from F        the sender, e.g. "Links <digest@links.example.com>" (default from the title and site)
  --source S      ${SOURCE_FORMS} (default sample)
  --site-url URL  base of unsubscribe links: https, or http://127.0.0.1:PORT for serve (default ${DEFAULT_SITE_URL})
  --force         replace files that exist`,
  options: {
    title: { type: 'string' },
    from: { type: 'string' },
    source: { type: 'string' },
    'site-url': { type: 'string' },
    force: { type: 'boolean' },
  },
  run: ({ values, positionals }, output) => {
    if (positionals.length > 1) throw new UsageError(`one folder at most (got ${positionals.join(', ')})`);
    return initCommand(
      {
        dir: positionals[0],
        title: stringFlag(values.title),
        from: stringFlag(values.from),
        source: stringFlag(values.source),
        siteUrl: stringFlag(values['site-url']),
        force: values.force === true,
      },
      output,
    );
  },
};
