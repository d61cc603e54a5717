/**
 * The link check figure: 200 links across 40 hosts (each a loopback address of its own, 127.0.0.1–40),
 * 4 of them (10 %) slow, answering long after the time limit. Goal: the wall time is bounded by the time
 * limit times a small factor, not the sum of the limits of the slow links; and no host ever has more
 * requests in flight than `perHost` (the server counts them). Run alone: `npx tsx tests/bench/link-bench.ts`.
 */
import { HttpLinkChecker } from '../../lambda/adapters/link-checker';
import { classifyProbes } from '../../lambda/core/link-check';
import { startLinkServer } from '../integration/servers/link-server';
import type { Row } from './send-bench';

const HOSTS = 40;
const LINKS = 200;
const SLOW_HOSTS = 4;
const TIMEOUT_MS = 2_000;
const PER_HOST = 2;
const CONCURRENCY = 16;
/** The goal: the whole check within this many time limits. */
const FACTOR = 2;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function linkBench(): Promise<Row[]> {
  const addresses = [...Array(HOSTS).keys()].map((i) => `127.0.0.${i + 1}`);
  const server = await startLinkServer({ addresses, slowMs: 60_000 });
  try {
    // Every host gets LINKS / HOSTS links; the slow hosts are spread through the list, not all at its end.
    const slow = new Set([...Array(SLOW_HOSTS).keys()].map((i) => Math.floor((i * HOSTS) / SLOW_HOSTS) + 3));
    const paths = ['ok', 'ok', 'moved', 'ok', 'missing'];
    const urls = [...Array(LINKS).keys()].map((i) => {
      const h = i % HOSTS;
      const n = Math.floor(i / HOSTS);
      return `${server.hosts[h]}/${slow.has(h) ? 'slow' : paths[n % paths.length]}/${n}`;
    });
    const checker = new HttpLinkChecker({
      timeoutMs: TIMEOUT_MS,
      concurrency: CONCURRENCY,
      perHost: PER_HOST,
      followRedirects: true,
      maxRedirects: 5,
      userAgent: 'pinboard-digest-linkcheck/1 (bench)',
      allowPrivateHosts: true,
    });
    const started = performance.now();
    const probes = await checker.check(urls, { signal: AbortSignal.timeout(60_000) });
    const ms = performance.now() - started;
    const outcomes = [...classifyProbes(probes).outcomes.values()];
    const count = (kind: string) => outcomes.filter((o) => o.kind === kind).length;
    const slowLinks = urls.filter((u) => u.includes('/slow/')).length;
    const maxInFlight = Math.max(...server.maxInFlight.values());
    const slowRequests = server.requests.filter((r) => r.path.startsWith('/slow/')).length;
    return [
      {
        figure: `link check, ${LINKS} links on ${HOSTS} hosts, ${SLOW_HOSTS} slow (${(SLOW_HOSTS / HOSTS) * 100} %): wall time`,
        value: `${fmt(ms / 1000, 2)} s (time limit ${TIMEOUT_MS / 1000} s; the ${slowLinks} slow links' limits add up to ${fmt((slowLinks * TIMEOUT_MS) / 1000)} s)`,
        goal: `≤ ${FACTOR} × time limit`,
        ratio: fmt((FACTOR * TIMEOUT_MS) / ms, 2),
      },
      {
        figure: '  most requests in flight on one host',
        value: `${maxInFlight} (perHost ${PER_HOST}, concurrency ${CONCURRENCY})`,
        goal: `≤ ${PER_HOST}`,
        ratio: fmt(PER_HOST / maxInFlight, 2),
      },
      {
        figure: '  outcomes',
        value: `${count('alive')} working, ${count('redirected')} redirected, ${count('dead')} dead, ${count('unknown')} unknown; ${slowRequests} requests to slow hosts`,
        goal: '',
        ratio: '',
      },
    ];
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  linkBench()
    .then((rows) => {
      for (const r of rows) console.log([r.figure, r.value, r.goal, r.ratio].join(' | '));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
