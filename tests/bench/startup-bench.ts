/**
 * Start-up figures for `npm run bench`: wall time from spawning `pinboard-digest` to its exit, the median of
 * 10 runs after one to warm the caches, for `--help` and for `subscribers add` (a new address each run, so
 * every run writes the confirmation mail), goal ≤ 250 ms each; with the build (as `npm ci` leaves it) and,
 * for comparison, from the TypeScript sources through tsx (DIGEST_CLI_FROM_SOURCE=1: the CLI before it was
 * built ahead). On the Node running the bench and on /usr/bin/node when that is another version, and
 * through `npx pinboard-digest`, which adds npm's own start. Alone: `npx tsx tests/bench/startup-bench.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { BIN, ensureBuilt } from '../helpers/cli';
import { makeProject } from '../helpers/project';
import type { Row } from './send-bench';

const GOAL_MS = 250;
const RUNS = 10;
const NPX_RUNS = 5;
const ROOT = path.resolve(__dirname, '../..');

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Median wall time in ms of `runs` runs of `command args` (one more first, not counted). */
function median(command: string, args: (i: number) => string[], cwd: string, env: NodeJS.ProcessEnv, runs: number) {
  const times: number[] = [];
  for (let i = -1; i < runs; i++) {
    if (!env.DIGEST_CLI_FROM_SOURCE) ensureBuilt(); // an edit meanwhile would have it run the sources
    const started = performance.now();
    const result = spawnSync(command, args(i), { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = performance.now() - started;
    if (result.status !== 0)
      throw new Error(`${command} ${args(i).join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? (times[mid] ?? 0) : ((times[mid - 1] ?? 0) + (times[mid] ?? 0)) / 2;
}

const nodeVersion = (node: string) => execFileSync(node, ['--version']).toString().trim().replace(/^v/, '');

export interface StartupFigure {
  how: string;
  command: string;
  built: number;
  fromSource: number;
}

export function startupFigures(): StartupFigure[] {
  const nodes = [process.execPath];
  if (existsSync('/usr/bin/node') && nodeVersion('/usr/bin/node') !== nodeVersion(process.execPath))
    nodes.push('/usr/bin/node');
  const cwd = makeProject({ posts: [] });
  const figures: StartupFigure[] = [];
  try {
    let n = 0;
    const add = () => ['subscribers', 'add', `reader${n++}@example.com`];
    for (const node of nodes) {
      const how = `node lambda/cli/bin.js (Node ${nodeVersion(node)})`;
      const both = (command: string, args: () => string[]) => ({
        how,
        command,
        built: median(node, () => [BIN, ...args()], cwd, {}, RUNS),
        fromSource: median(node, () => [BIN, ...args()], cwd, { DIGEST_CLI_FROM_SOURCE: '1' }, RUNS),
      });
      figures.push(
        both('--help', () => ['--help']),
        both('subscribers add', add),
      );
    }
    // npx finds the project's own bin from inside it, as a user at the project runs it.
    const npx = (env: NodeJS.ProcessEnv) => median('npx', () => ['pinboard-digest', '--help'], ROOT, env, NPX_RUNS);
    figures.push({
      how: 'npx pinboard-digest',
      command: '--help',
      built: npx({}),
      fromSource: npx({ DIGEST_CLI_FROM_SOURCE: '1' }),
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return figures;
}

export function startupRows(figures: StartupFigure[], load = loadavg()[0] ?? 0): Row[] {
  const rows = figures.map((f) => ({
    figure: `start: ${f.how} ${f.command}`,
    value: `${fmt(f.built)} ms (tsx: ${fmt(f.fromSource)} ms, ${fmt(f.fromSource / f.built, 1)}× slower)`,
    goal: f.how.startsWith('npx') ? '(npm adds its own start)' : `≤ ${GOAL_MS} ms`,
    ratio: f.how.startsWith('npx') ? '' : fmt(GOAL_MS / f.built, 2),
  }));
  // Start-up times grow with whatever else the machine runs: the figures are only as idle as this.
  return [...rows, { figure: '  load average (1 min) after those starts', value: fmt(load, 2), goal: '', ratio: '' }];
}

export async function startupBench(): Promise<Row[]> {
  return startupRows(startupFigures());
}

if (require.main === module) {
  for (const r of startupRows(startupFigures()))
    console.log([r.figure.padEnd(70), r.value.padEnd(44), r.goal.padEnd(26), r.ratio].join(''));
}
