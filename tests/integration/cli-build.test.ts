/**
 * The built CLI (lambda/cli/dist, from lambda/cli/build.mjs) and its fallback, the TypeScript sources through
 * tsx: both run every command alike, the build is what runs when it is fresh, and a command loads only what
 * it needs. On every Node this machine has (the one running the tests, and /usr/bin/node when it is another).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandSpec } from '../../lambda/cli/command';
import { loadCommands } from '../../lambda/cli/commands';
import { BIN, ensureBuilt, runCli } from '../helpers/cli';
import { makeProject } from '../helpers/project';

const { freshBuild } = require('../../lambda/cli/build-state.js') as {
  freshBuild: () => { commands: CommandSpec[]; builtAt: number } | undefined;
};

const major = (node: string) => Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]']).toString());
const NODES = [process.execPath, ...(existsSync('/usr/bin/node') ? ['/usr/bin/node'] : [])].filter(
  (node, i, all) => all.findIndex((other) => major(other) === major(node)) === i,
);
const FROM_SOURCE = { DIGEST_CLI_FROM_SOURCE: '1' };

/** Writes, at exit, every file the process loaded through require (a module, a package, the build). */
const PRELOAD = path.join(mkdtempSync(path.join(tmpdir(), 'pd-loaded-')), 'loaded.js');
writeFileSync(
  PRELOAD,
  `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_OUT, Object.keys(require.cache).join('\\n')));`,
);

function loadedBy(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  ensureBuilt();
  const out = path.join(path.dirname(PRELOAD), `out-${Math.random().toString(36).slice(2)}.txt`);
  return new Promise<{ code: number; stdout: string; loaded: string[] }>((resolve) => {
    execFile(
      node,
      ['--require', PRELOAD, BIN, ...args],
      { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, LOADED_OUT: out, ...env }, timeout: 60_000 },
      (error, stdout) => {
        const loaded = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : [];
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, loaded });
      },
    );
  });
}

const packages = (loaded: string[]) => loaded.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`));
const project = () => makeProject({ posts: [] });

beforeAll(() => ensureBuilt());

describe('the build', () => {
  it('is fresh after ensureBuilt, and its command specs are the sources’ own', () => {
    const manifest = freshBuild();
    expect(manifest).toBeDefined();
    const specs = loadCommands().map(({ name, summary, help, options }) => ({ name, summary, help, options }));
    expect(manifest?.commands).toEqual(JSON.parse(JSON.stringify(specs)));
  });
});

// Each case starts the CLI twice, once through tsx (about 0.6 s idle, several seconds on a loaded 2-core machine).
jest.setTimeout(180_000);

/**
 * What the sources through tsx answer, run once on the Node running the tests: each Node's build is compared
 * with it (tsx is the slow start these tests exist to avoid, and the sources do not change between Nodes).
 */
const fromSource = new Map<string, ReturnType<typeof runCli>>();
const sourceRun = (args: string[], cwd: string) => {
  const key = JSON.stringify(args);
  if (!fromSource.has(key)) fromSource.set(key, runCli(args, { cwd, env: FROM_SOURCE }));
  return fromSource.get(key) as ReturnType<typeof runCli>;
};

/** Adds, lists and sends in a new project; each step must exit 0. Its output lines, the project path masked. */
async function session(run: (args: string[], cwd: string) => ReturnType<typeof runCli>): Promise<string[]> {
  const cwd = project();
  const lines: string[] = [];
  for (const args of [
    ['subscribers', 'add', 'reader@example.com', '--name', 'Reader'],
    ['subscribers', 'add', 'other@example.com', '--confirmed'],
    ['subscribers', 'list'],
    ['send', '--dry-run', '--since', '2026-01-01'],
  ]) {
    const result = await run(args, cwd);
    expect({ args, code: result.code }).toEqual({ args, code: 0 });
    lines.push(`${result.stdout}${result.stderr}`.replaceAll(cwd, '<project>'));
  }
  expect(readFileSync(path.join(cwd, '.digest', 'subscribers.jsonl'), 'utf8')).toContain('reader@example.com');
  return lines;
}
let sourceSession: Promise<string[]> | undefined;

describe.each(NODES)('pinboard-digest on %s', (node) => {
  const run = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => runCli(args, { cwd, env, node });

  it('prints the same help, errors and exit codes built and from the sources', async () => {
    const cwd = project();
    const cases = [['--help'], [], ['subscribers', '--help'], ['nope'], ['send', '--bogus'], ['send', '--since', 'x']];
    // The slow tsx starts all at once (both cores busy), then each compared in turn.
    for (const args of [...cases, ...loadCommands().map((spec) => [spec.name, '--help'])]) sourceRun(args, cwd);
    for (const args of cases) {
      const [built, source] = await Promise.all([run(args, cwd), sourceRun(args, cwd)]);
      expect({ args, ...built }).toEqual({ args, ...source });
    }
    for (const spec of loadCommands()) {
      const [built, source] = await Promise.all([
        run([spec.name, '--help'], cwd),
        sourceRun([spec.name, '--help'], cwd),
      ]);
      expect(built.code).toBe(0);
      expect(built.stdout).toBe(source.stdout);
      expect(built.stdout).toContain(spec.help);
    }
  });

  it('adds, lists and sends the same built and from the sources', async () => {
    sourceSession ??= session((args, cwd) => runCli(args, { cwd, env: FROM_SOURCE }));
    const [built, source] = await Promise.all([session(run), sourceSession]);
    expect(built).toEqual(source);
    expect(built[0]).toMatch(/^Sent reader@example.com a confirmation link/);
  });

  it('runs the build, not tsx, and a command loads only what it needs', async () => {
    const cwd = project();
    const help = await loadedBy(node, ['--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pinboard-digest <command>');
    expect(packages(help.loaded)).toEqual([]);
    expect(help.loaded.some((f) => f.endsWith('main.ts'))).toBe(false);

    const add = await loadedBy(node, ['subscribers', 'add', 'reader@example.com'], cwd);
    expect(add.stdout).toMatch(/^Sent reader@example.com a confirmation link/);
    // Not the AWS SDK (this config picks the file store and the outbox), nor tsx, nor MJML (only its version).
    const heavy = /node_modules[/\\](tsx|@aws-sdk|@smithy|mjml)[/\\]/;
    expect(packages(add.loaded).filter((f) => heavy.test(f) && !f.endsWith('package.json'))).toEqual([]);
  });

  it('falls back to the sources through tsx when asked (as when there is no build)', async () => {
    const result = await loadedBy(node, ['--help'], project(), FROM_SOURCE);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pinboard-digest <command>');
    expect(result.loaded.some((f) => f.includes(`${path.sep}tsx${path.sep}`))).toBe(true);
    expect(result.loaded.some((f) => f.endsWith(path.join('lambda', 'cli', 'main.ts')))).toBe(true);
  });
});
