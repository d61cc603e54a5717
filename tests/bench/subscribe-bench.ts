/**
 * Figures of the subscription API for `npm run bench` (also `npx tsx tests/bench/subscribe-bench.ts` alone):
 *  - the subscription-api function's bundle (esbuild, as the stack bundles it) and its cold import time;
 *  - latency under a bounded load against the real `pinboard-digest serve` on loopback (file store, outbox):
 *    CLIENTS connections at once, each sending its next request as soon as the last is answered, REQUESTS in
 *    all; p50 and p99 per request and requests per second, for POST /subscribe (each a new address: stored
 *    pending, a confirmation built and written to the outbox) and for the RFC 8058 one-click POST (each a
 *    different active subscriber, unsubscribed).
 */
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lambda/adapters/file-store';
import { createToken } from '../../lambda/core/tokens';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { startServe } from '../helpers/serve';
import { bundle, coldImportMs } from './aws-bench';
import type { Row } from './send-bench';

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'bench-signing-key-bench-signing-key-0000';
const CLIENTS = 8;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface LoadResult {
  p50: number;
  p99: number;
  perSecond: number;
}

/** `count` requests over `clients` kept-alive connections; every answer must have status `expected`. */
async function load(
  base: string,
  count: number,
  clients: number,
  expected: number,
  make: (i: number) => { path: string; body: string },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const { path: target, body } = make(i);
      const started = process.hrtime.bigint();
      const req = request(
        `${base}${target}`,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== expected) reject(new Error(`${target}: ${res.statusCode}, expected ${expected}`));
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) await one(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), perSecond: count / seconds };
}

export async function subscribeBench(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-sub-bench-'));
  const file = path.join(dir, 'subscription-api.js');
  const bytes = bundle(path.join(ROOT, 'lambda/handlers/subscription-api.ts'), file, [
    '@aws-sdk/*',
    '@smithy/*',
    'mjml',
  ]);
  rows.push(
    {
      figure: 'bundle of subscription-api (minified, SDK from the runtime, no mjml)',
      value: `${fmt(bytes / 1024)} KiB`,
      goal: '≤ 1,024 KiB',
      ratio: fmt((1024 * 1024) / bytes, 2),
    },
    {
      figure: 'cold import of subscription-api (median of 5 fresh processes)',
      value: `${fmt(coldImportMs(file), 0)} ms`,
      goal: '',
      ratio: '',
    },
  );

  const requests = quick ? 500 : 2000;
  const cwd = makeProject({
    posts: [rawPost(1, 1)],
    subscribers: [],
    config: { subscriptions: { perIpPerHour: 1_000_000, perAddressPerDay: 1000 } },
  });
  // The readers who will leave: active before the server starts, each with the token of their List-Unsubscribe.
  const store = new FileStore(path.join(cwd, '.digest'));
  const readers = await store.addSubscribers(
    Array.from({ length: requests }, (_, i) => ({ email: `reader${i}@example.com`, status: 'active' as const })),
    new Date().toISOString(),
  );
  const tokens = readers.map((r) => createToken(SECRET, 'unsubscribe', r.subscriber.id));
  const served = await startServe(cwd, ['--port', '0'], { DIGEST_SIGNING_SECRET: SECRET });
  try {
    // A person submitting a form: under half a second, with 8 clients at once, ~3× the deployed stage's 10/s throttle.
    const goal = '≤ 500 ms';
    const oneClick = await load(served.url, requests, CLIENTS, 200, (i) => ({
      path: `/unsubscribe?token=${encodeURIComponent(tokens[i] ?? '')}`,
      body: 'List-Unsubscribe=One-Click',
    }));
    const subscribe = await load(served.url, requests, CLIENTS, 200, (i) => ({
      path: '/subscribe',
      body: `email=new${i}%40example.com`,
    }));
    for (const [what, r, who] of [
      ['POST /subscribe', subscribe, 'new addresses'],
      ['one-click POST /unsubscribe', oneClick, 'readers'],
    ] as const) {
      rows.push({
        figure: `${what} p99, serve on loopback, ${CLIENTS} clients, ${fmt(requests)} ${who}`,
        value: `${fmt(r.p99, 0)} ms (p50 ${fmt(r.p50, 0)} ms), ${fmt(r.perSecond)}/s`,
        goal,
        ratio: fmt(500 / r.p99, 2),
      });
    }
  } finally {
    await served.stop();
  }
  return rows;
}

if (require.main === module) {
  subscribeBench(process.argv.includes('--quick'))
    .then((rows) => {
      for (const r of rows) console.log([r.figure, r.value, r.goal, r.ratio].join(' | '));
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
