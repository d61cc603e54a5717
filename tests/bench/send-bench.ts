/**
 * Delivery figures for `npm run bench`:
 *  - achieved send rate ÷ configured rate against the rate-limited SES endpoint at 14/s and 100/s
 *    (2% of requests throttled at random), with messages lost and duplicated counted;
 *  - peak memory (VmHWM) of `pinboard-digest send` to 100,000 and to 300,000 subscribers, file store,
 *    SES endpoint at a high rate, measured on the real CLI process as `npm start` runs it (the build in
 *    lambda/cli/dist): at most 150 MB at 100,000, and less than 20 % more at 300,000 (nothing is kept per
 *    recipient but a few bytes of ledger view); and, for comparison, the 100,000 send from the TypeScript
 *    sources through tsx (the CLI before it was built ahead: its baseline is tsx and every module loaded).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, ensureBuilt, runCli } from '../helpers/cli';
import { deliverPaced, sesEnv, storeWithIssue } from '../helpers/delivery';
import { trackPeakMemory } from '../helpers/peak-memory';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { startSesServer } from '../integration/servers/ses-server';

export interface Row {
  figure: string;
  value: string;
  goal: string;
  ratio: string;
}

/** A high production SES rate; this machine cannot build messages faster, so the run is CPU-bound. */
const MEMORY_RUN_RATE = 1000;
/** Peak RSS of a 100,000-subscriber send, and how much more a list three times as long may take. */
const PEAK_GOAL_MB = 150;
const GROWTH_GOAL = 0.2;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function rateRun(rate: number, seconds: number): Promise<Row> {
  const count = Math.round(rate * seconds);
  const ses = await startSesServer({ maxSendRate: rate, randomThrottle: 0.02, keepRaw: false });
  try {
    const { store } = await storeWithIssue(count);
    const started = performance.now();
    const summary = await deliverPaced(ses.url, store, rate);
    const elapsed = (performance.now() - started) / 1000;
    // As SES sees it: accepted messages over the time from the first acceptance to the last.
    const times = ses.accepted.map((m) => m.at);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    const per = ses.perRecipient();
    const lost = count - per.size;
    const dupes = [...per.values()].reduce((n, c) => n + c - 1, 0);
    const achieved = (times.length - 1) / span;
    return {
      figure: `send rate at ${rate}/s (${count} messages, ${ses.counts.throttledAtRandom} random + ${ses.counts.throttledByRate} rate throttles)`,
      value: `${fmt(achieved, 1)}/s, lost ${lost}, dup ${dupes} (${fmt(summary.sent / elapsed, 1)}/s end to end)`,
      goal: '≥ 0.95 × rate, 0 lost, 0 dup',
      ratio: fmt(achieved / rate, 3),
    };
  } finally {
    await ses.stop();
  }
}

export interface MemoryRun {
  count: number;
  /** Run from the TypeScript sources through tsx instead of the build. */
  fromSource: boolean;
  peakMb: number;
  seconds: number;
  lost: number;
  dupes: number;
}

/** Peak resident memory of the CLI sending to `count` subscribers through SES, from /proc. */
export async function memoryRun(
  count: number,
  fromSource = false,
  /** Readers' section choices, spread over the list in turn (variants-bench.ts); the issue's sections are their union. */
  choices?: readonly string[][],
): Promise<MemoryRun> {
  const ses = await startSesServer({ maxSendRate: MEMORY_RUN_RATE, keepRaw: false });
  const sections = choices ? [...new Set(choices.flat())] : undefined;
  const cwd = makeProject({
    posts: Array.from({ length: 50 }, (_, i) =>
      rawPost(50 - i * 0.5, i, sections ? { tags: (sections[i % sections.length] as string).toLowerCase() } : {}),
    ),
    subscribers: Array.from({ length: count }, (_, i) => `reader${i}@example.com,Reader ${i}`),
    config: {
      title: 'Bench',
      transport: { type: 'ses', maxSendRate: MEMORY_RUN_RATE },
      subscribersSeed: undefined,
      ...(sections ? { sections: sections.map((title) => ({ title, tags: [title.toLowerCase()] })) } : {}),
    },
  });
  const env = sesEnv(ses.url);
  try {
    const imported = await runCli(['subscribers', 'import', 'subscribers.csv'], { cwd, env });
    if (imported.code !== 0) throw new Error(imported.stderr);
    if (choices) {
      // Each reader's choice, written into the list at once (as 100,000 `subscribers prefs` would leave it).
      const file = path.join(cwd, '.digest', 'subscribers.jsonl');
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const chosen = lines.map((line, i) =>
        JSON.stringify({ ...JSON.parse(line), prefs: { sections: choices[i % choices.length] } }),
      );
      writeFileSync(file, `${chosen.join('\n')}\n`);
    }
    // As an author does: preview first (which also leaves the compiled templates in the cache).
    const preview = await runCli(['preview'], { cwd, env });
    if (preview.code !== 0) throw new Error(preview.stderr);

    ensureBuilt();
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'send'], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...env,
        ...(fromSource && { DIGEST_CLI_FROM_SOURCE: '1' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const peak = trackPeakMemory(child.pid);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const peakKb = peak.stop();
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`send exited ${code}: ${stdout}`);
    const per = ses.perRecipient();
    const dupes = [...per.values()].reduce((n, c) => n + c - 1, 0);
    return { count, fromSource, peakMb: peakKb / 1024, seconds, lost: count - per.size, dupes };
  } finally {
    await ses.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * The peak at 100,000 against its goal, the peak at 300,000, how much it grew in between, and the peak at
 * 100,000 from the sources through tsx when measured.
 */
export function memoryRows(small: MemoryRun, large: MemoryRun, fromSource?: MemoryRun): Row[] {
  const peak = (run: MemoryRun, goal: string, ratio: string): Row => ({
    figure: `peak memory, send to ${fmt(run.count)} subscribers (file store, ${run.fromSource ? 'CLI from the sources through tsx' : 'CLI'}, SES at ${fmt(MEMORY_RUN_RATE)}/s)`,
    value: `${fmt(run.peakMb)} MB`,
    goal,
    ratio,
  });
  const endToEnd = (run: MemoryRun): Row => ({
    figure: '  that send end to end (one core builds MIME)',
    value: `${fmt(run.seconds, 1)} s, ${fmt(run.count / run.seconds)}/s`,
    goal: `${fmt(run.lost)} lost, ${run.dupes} dup`,
    ratio: '',
  });
  const growth = large.peakMb / small.peakMb - 1;
  return [
    peak(small, `≤ ${PEAK_GOAL_MB} MB`, fmt(PEAK_GOAL_MB / small.peakMb, 2)),
    endToEnd(small),
    peak(large, '', ''),
    endToEnd(large),
    {
      figure: `peak memory growth from ${fmt(small.count)} to ${fmt(large.count)} subscribers`,
      value: `${growth >= 0 ? '+' : ''}${fmt(growth * 100, 1)} % (${fmt(small.peakMb)} → ${fmt(large.peakMb)} MB)`,
      goal: `< ${fmt(GROWTH_GOAL * 100)} %`,
      ratio: fmt(((1 + GROWTH_GOAL) * small.peakMb) / large.peakMb, 2),
    },
    ...(fromSource
      ? [peak(fromSource, `(before the build: ${fmt(fromSource.peakMb - small.peakMb)} MB more)`, '')]
      : []),
  ];
}

export async function sendBench(quick: boolean): Promise<Row[]> {
  const rows = [await rateRun(14, 12), await rateRun(100, 10)];
  if (!quick) {
    rows.push(...memoryRows(await memoryRun(100_000), await memoryRun(300_000), await memoryRun(100_000, true)));
  }
  return rows;
}
