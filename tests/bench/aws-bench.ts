/**
 * Figures of the AWS functions for `npm run bench`:
 *  - each function's bundle (esbuild, as the CDK stack bundles it) in bytes, and its cold import time, beside
 *    the same function bundled with mjml compiling at run time (goal: ≤ 1 MB, ≥ 4× faster to import);
 *  - a local fan-out: compose-issue → SQS (fauxqs) → send-batch (as many concurrent invocations as the
 *    fleet plan allows) → the rate-limited SES endpoint, for 10,000 subscribers: achieved ÷ configured rate,
 *    lost, duplicated; and the model of the same for 100,000.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { writeBundleFile } from '../../infra/bundle-file';
import { loadConfig } from '../../lambda/config';
import { planSendFleet } from '../../lambda/core/fleet';
import { awsDigestConfig, startLocalAws } from '../helpers/aws-local';
import { rawPost } from '../helpers/pinboard-posts';
import type { Row } from './send-bench';

const ROOT = path.resolve(__dirname, '../..');
const HANDLERS = ['compose-issue', 'send-batch', 'ses-events'];
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function bundle(entry: string, outfile: string, external: string[]): number {
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    minify: true,
    outfile,
    external,
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/**
 * Median wall time of `runs` fresh Node processes that require `file` and, if it exports `ready()`, wait for
 * it: the part of a cold start that is the function's own (no network), until it could take its first event.
 */
export function coldImportMs(file: string, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});Promise.resolve(typeof m.ready==='function'&&m.ready()).then(()=>console.log(Number(process.hrtime.bigint()-t)/1e6))`,
      ],
      // The SDK is external (the runtime ships it): resolve it from the project, as Lambda resolves its own.
      { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } },
    );
    if (r.status !== 0) throw new Error(`import of ${file} failed: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0;
}

export async function bundleRows(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-bundles-'));
  const rows: Row[] = [];
  const external = ['@aws-sdk/*', '@smithy/*', 'mjml'];
  for (const name of HANDLERS) {
    const file = path.join(dir, `${name}.js`);
    const bytes = bundle(path.join(ROOT, 'lambda/handlers', `${name}.ts`), file, external);
    rows.push({
      figure: `bundle of ${name} (minified, SDK from the runtime, no mjml)`,
      value: `${fmt(bytes / 1024)} KiB`,
      goal: '≤ 1,024 KiB',
      ratio: fmt((1024 * 1024) / bytes, 2),
    });
  }
  // Both variants are timed until send-batch could take its first event. As shipped: import the bundle and
  // read the templates compiled at synth (the digest bundle file). Compiling MJML at run time instead: import
  // the bundle with mjml in it and compile templates/digest.mjml as the CLI does (strict, no comments).
  const bundleFile = await writeBundleFile(loadConfig(path.join(ROOT, 'examples/digest.config.json')), dir, 'bench');
  const plainEntry = path.join(dir, 'as-shipped.ts');
  writeFileSync(
    plainEntry,
    `const { readFileSync } = require('node:fs');\nrequire(${JSON.stringify(path.join(ROOT, 'lambda/handlers/send-batch.ts'))});\nexports.ready = () => JSON.parse(readFileSync(${JSON.stringify(bundleFile)}, 'utf8'));\n`,
  );
  const withMjmlEntry = path.join(dir, 'with-mjml.ts');
  const mjmlSource = path.join(ROOT, 'templates/digest.mjml');
  writeFileSync(
    withMjmlEntry,
    `const { readFileSync } = require('node:fs');\nrequire(${JSON.stringify(path.join(ROOT, 'lambda/handlers/send-batch.ts'))});\nconst mjml = require(${JSON.stringify(require.resolve('mjml'))});\nexports.ready = () => (mjml.default ?? mjml)(readFileSync(${JSON.stringify(mjmlSource)}, 'utf8'), { validationLevel: 'strict', filePath: ${JSON.stringify(mjmlSource)}, keepComments: false });\n`,
  );
  const plainFile = path.join(dir, 'as-shipped.js');
  const mjmlFile = path.join(dir, 'with-mjml.js');
  bundle(plainEntry, plainFile, external);
  const mjmlBytes = bundle(withMjmlEntry, mjmlFile, ['@aws-sdk/*', '@smithy/*', 'uglify-js', 'html-minifier']);
  const plain = coldImportMs(plainFile);
  const heavy = coldImportMs(mjmlFile);
  rows.push(
    {
      figure: 'cold start of send-batch to ready: import + compiled templates read (median of 5 fresh processes)',
      value: `${fmt(plain, 0)} ms`,
      goal: '',
      ratio: '',
    },
    {
      figure: `  the same compiling MJML at run time: import mjml + compile digest.mjml (bundle ${fmt(mjmlBytes / 1024 / 1024, 1)} MiB)`,
      value: `${fmt(heavy, 0)} ms`,
      goal: '≥ 4× slower than without',
      ratio: fmt(heavy / plain / 4, 2),
    },
  );
  return rows;
}

/** One Lambda container (lambda-container.ts): compose-issue once, or send-batch polling until the queue is empty. */
function startContainer(...args: string[]): Promise<void> {
  const script = path.join(__dirname, 'lambda-container.ts');
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), script, ...args], {
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args[0]} container exited ${code}: ${stderr.slice(-2000)}`)),
    ),
  );
}

/** compose-issue → fauxqs → send-batch × fleet (a process each) → SES endpoint, 10,000 subscribers. */
export async function fanOutRows(count: number, rate: number): Promise<Row[]> {
  const fleet = planSendFleet(rate);
  const aws = await startLocalAws({
    sesRate: rate,
    randomThrottle: 0.02,
    batchSize: fleet.batchSize,
    maxReceiveCount: fleet.maxReceiveCount,
    visibilityTimeoutSeconds: 30,
    fleetConcurrency: fleet.maxConcurrency,
    keepRaw: false,
    config: awsDigestConfig('Bench'),
  });
  try {
    writeFileSync(
      path.join(aws.dir, 'bookmarks.json'),
      JSON.stringify(Array.from({ length: 50 }, (_, i) => rawPost(50 - i * 0.5, i))),
    );
    const store = aws.store();
    for (let i = 0; i < count; i += 1000) {
      await store.addSubscribers(
        Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
          email: `r${i + j}@example.com`,
          status: 'active' as const,
        })),
        new Date().toISOString(),
      );
    }
    // Every function in a process of its own, with the environment startLocalAws set (a second run in this
    // process gets fresh containers, as a new deployment would).
    const started = performance.now();
    await startContainer('compose');
    const composed = (performance.now() - started) / 1000;
    // Then, as the event source does once messages wait, each concurrent send-batch invocation in a process of
    // its own (cold). The rate counts from the first message SES accepts, so their start-up is not in it.
    await Promise.all(
      Array.from({ length: fleet.maxConcurrency }, () => startContainer('send', aws.queueUrl, String(fleet.batchSize))),
    );
    const elapsed = (performance.now() - started) / 1000;
    const times = aws.ses.accepted.map((m) => m.at);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    const achieved = (times.length - 1) / span;
    const per = aws.ses.perRecipient();
    const lost = count - per.size;
    const dupes = [...per.values()].reduce((n, c) => n + c - 1, 0);
    const model = 100_000;
    return [
      {
        figure: `fan-out to ${fmt(count)}: compose-issue → SQS → send-batch ×${fleet.maxConcurrency} → SES at ${rate}/s`,
        value: `${fmt(achieved, 1)}/s, lost ${lost}, dup ${dupes}`,
        goal: '≥ 0.95 × rate, 0 lost, 0 dup',
        ratio: fmt(achieved / rate, 3),
      },
      {
        figure: '  compose-issue (a cold container) + enqueue, then the whole send',
        value: `${fmt(composed, 1)} s, ${fmt(elapsed, 0)} s`,
        goal: '',
        ratio: '',
      },
      {
        figure: `  model for ${fmt(model)} at ${rate}/s: ${fmt(model / fleet.recipientsPerMessage)} messages, batches of ${fleet.batchSize}`,
        value: `${fmt(model / rate / 60, 0)} min, ${fmt(model / fleet.recipientsPerMessage / fleet.batchSize)} invocations`,
        goal: 'time = subscribers ÷ rate',
        ratio: '',
      },
    ];
  } finally {
    await aws.stop();
  }
}

export async function awsBench(quick: boolean): Promise<Row[]> {
  const rows = await bundleRows();
  // 100/s: what this machine sustains with every stand-in (dynalite, fauxqs, the SES endpoint) and every
  // send-batch container on its 2 cores, so the ratio measures the fleet's pacing, not the CPU. The run
  // offered 200/s shows that ceiling.
  rows.push(...(await fanOutRows(quick ? 2000 : 10_000, 100)));
  const [ceiling] = await fanOutRows(2000, 200);
  if (ceiling) {
    rows.push({
      ...ceiling,
      figure: `  the same offered 200/s (×4), 2,000 subscribers: this machine's ceiling, everything on 2 cores`,
      goal: '',
      ratio: '',
    });
  }
  return rows;
}
