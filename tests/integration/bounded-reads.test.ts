/**
 * Every body a source reads is bounded while it streams (issue 10, item 10): a body that never ends, one
 * that declares 300 MB, a gzip bomb and a server that drips its answer are all cut off cleanly, by the
 * adapters and by the real CLI, whose peak memory is read from /proc (as tests/bench/send-bench.ts does).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FeedSource } from '../../lambda/adapters/feed';
import { fetchBody, TransientHttpError } from '../../lambda/adapters/http';
import { PinboardApiSource } from '../../lambda/adapters/pinboard-api';
import { SourceError } from '../../lambda/core/errors';
import { DEFAULT_MAX_BODY_BYTES } from '../../lambda/core/source-limits';
import { BIN } from '../helpers/cli';
import { trackPeakMemory } from '../helpers/peak-memory';
import { makeProject } from '../helpers/project';
import { type BodyServer, gzipBomb, startBodyServer } from './servers/body-server';
import { startPinboardServer } from './servers/pinboard-server';

const MB = 1_000_000;
const FAST_FAIL = { attempts: 3, baseDelayMs: 10, maxDelayMs: 10, jitter: 0 };
const TOKEN = 'tester:0123456789ABCDEF0123';

const feed = (when: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Links</title><link>https://links.example/</link>
<item><title>A link</title><link>https://example.com/a</link><pubDate>${when}</pubDate></item>
</channel></rss>`;

const ROUTES = {
  '/feed.xml': { body: feed(new Date().toUTCString()) },
  '/endless': { stream: Number.POSITIVE_INFINITY },
  '/oversized': {
    stream: 300 * MB,
    headers: { 'content-type': 'application/rss+xml', 'content-length': String(300 * MB) },
  },
  '/exact': { stream: 10_000 },
  '/one-over': { stream: 10_001 },
  '/gzip-bomb': {
    body: gzipBomb(100 * MB),
    headers: { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' },
  },
  '/drip': { dripMs: 50 },
};

let server: BodyServer;
beforeAll(async () => {
  server = await startBodyServer(ROUTES);
});
afterAll(() => server.stop());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('fetchBody', () => {
  it('stops a body that never ends at the limit, names the source and the limit, and hangs up', async () => {
    const error = await failure(fetchBody(`${server.url}/endless`, 'feed Links', { timeoutMs: 10_000, maxBytes: MB }));
    expect(error).toBeInstanceOf(SourceError);
    expect(error).not.toBeInstanceOf(TransientHttpError);
    expect(error.message).toBe(
      'feed Links: the answer grew over the limit of 1 MB (sourceLimits.maxBodyBytes = 1000000); nothing was used',
    );
    // The server saw the connection close: it wrote the limit plus what the socket buffers held, no more.
    expect(await server.closed('/endless')).toBeLessThan(10 * MB);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const { value: error, ms } = await timed(() =>
      failure(
        fetchBody(`${server.url}/oversized`, 'feed Links', { timeoutMs: 20_000, maxBytes: DEFAULT_MAX_BODY_BYTES }),
      ),
    );
    expect(error.message).toBe(
      'feed Links: the answer declares 300 MB (Content-Length), over the limit of 20 MB (sourceLimits.maxBodyBytes = 20000000); nothing was used',
    );
    expect(ms).toBeLessThan(2000);
    expect(await server.closed('/oversized')).toBeLessThan(20 * MB);
  });

  it('reads a body of exactly the limit and fails one byte past it', async () => {
    const ok = await fetchBody(`${server.url}/exact`, 'feed', { timeoutMs: 5000, maxBytes: 10_000 });
    expect(ok.body.length).toBe(10_000);
    const error = await failure(fetchBody(`${server.url}/one-over`, 'feed', { timeoutMs: 5000, maxBytes: 10_000 }));
    expect(error.message).toMatch(/over the limit of 10 kB \(sourceLimits.maxBodyBytes = 10000\)/);
  });

  it('counts the bytes after decompression: a gzip bomb stops at the limit', async () => {
    const bomb = ROUTES['/gzip-bomb'].body;
    expect(bomb.length).toBeLessThan(MB);
    const error = await failure(fetchBody(`${server.url}/gzip-bomb`, 'feed', { timeoutMs: 10_000, maxBytes: MB }));
    expect(error.message).toMatch(/feed: the answer grew over the limit of 1 MB/);
  });

  it('cuts off a server that drips its answer: the deadline covers the whole body, not only the headers', async () => {
    const { value: error, ms } = await timed(() =>
      failure(fetchBody(`${server.url}/drip`, 'feed', { timeoutMs: 600, maxBytes: MB })),
    );
    expect(error).toBeInstanceOf(TransientHttpError);
    expect(error.message).toBe('feed: no complete answer within 0.6 s');
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(2500);
    // It had started answering: this is a body deadline, not a connect or header timeout.
    expect(await server.closed('/drip')).toBeGreaterThan(0);
  });
});

describe('sources over the limit', () => {
  it('a feed fails at once with its label and the limit, not retried (a retry would read the same)', async () => {
    const source = new FeedSource({
      url: `${server.url}/endless`,
      label: 'feed Links',
      maxBodyBytes: 2 * MB,
      retry: FAST_FAIL,
    });
    const before = server.hits.get('/endless') ?? 0;
    const error = await failure(source.fetchSince('2026-11-01T00:00:00.000Z'));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/^feed Links: the answer grew over the limit of 2 MB/);
    expect(server.hits.get('/endless')).toBe(before + 1);
  });

  it('a slow-drip feed is timed out on every attempt and named', async () => {
    const source = new FeedSource({
      url: `${server.url}/drip`,
      label: 'feed Links',
      timeoutMs: 300,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10, jitter: 0 },
    });
    const error = await failure(source.fetchSince('2026-11-01T00:00:00.000Z'));
    expect(error.message).toBe('feed Links: no complete answer within 0.3 s (gave up after 2 attempts)');
  });

  it.each(['endless', 'oversized'] as const)(
    'the Pinboard API answering posts/update with an %s body fails once, naming the method, never the token',
    async (fault) => {
      const pinboard = await startPinboardServer({ token: TOKEN, posts: [], minIntervalMs: 0 });
      try {
        pinboard.inject('posts/update', fault);
        const memo = new Map<string, string>();
        const source = new PinboardApiSource({
          baseUrl: pinboard.url,
          token: TOKEN,
          memo: { getMemo: async (k) => memo.get(k), putMemo: async (k, v) => void memo.set(k, v) },
          minIntervalMs: 0,
          maxBodyBytes: 5 * MB,
          retry: FAST_FAIL,
        });
        const error = await failure(source.fetchSince('2026-11-01T00:00:00.000Z'));
        expect(error).toBeInstanceOf(SourceError);
        expect(error.message).toMatch(
          fault === 'endless'
            ? /^Pinboard posts\/update: the answer grew over the limit of 5 MB/
            : /^Pinboard posts\/update: the answer declares 300 MB \(Content-Length\), over the limit of 5 MB/,
        );
        expect(error.message).not.toContain('0123456789ABCDEF');
        expect(pinboard.calls.map((c) => c.method)).toEqual(['posts/update']);
      } finally {
        await pinboard.stop();
      }
    },
  );
});

describe('hostile XML is never expanded', () => {
  const lol = (n: number) => `&lol${n};`.repeat(10);
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol0 "lol">
${Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${lol(i)}">`).join('\n')}
]>
<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title><link>https://example.com/a</link>
<pubDate>Tue, 10 Nov 2026 04:00:00 GMT</pubDate></item></channel></rss>`;
  const external = (base: string) => `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "${base}/evil">]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;&remote;</title><link>https://example.com/a</link>
<pubDate>Tue, 10 Nov 2026 04:00:00 GMT</pubDate></item></channel></rss>`;

  it.each([
    ['an entity bomb', () => laughs, '&lol9;'],
    ['external entities', external, '&xxe;&remote;'],
  ])(
    '%s: the strict parse refuses it, the lenient one keeps the reference as text; nothing expanded or fetched',
    async (_name, body, title) => {
      const local = await startBodyServer({});
      try {
        const routes = await startBodyServer({ '/feed.xml': { body: body(local.url) } });
        try {
          const { value: result, ms } = await timed(() =>
            new FeedSource({ url: `${routes.url}/feed.xml`, label: 'feed X' }).fetchSince('2026-11-20T00:00:00Z'),
          );
          expect(result.bookmarks).toEqual([expect.objectContaining({ url: 'https://example.com/a', title })]);
          expect(result.warnings).toEqual([
            expect.stringMatching(
              /^feed X: not well-formed XML \(Invalid character entity at line \d+, column \d+\); read leniently/,
            ),
          ]);
          expect(JSON.stringify(result)).not.toMatch(/lollol|root:/);
          expect(local.hits.size).toBe(0);
          expect(ms).toBeLessThan(2000);
        } finally {
          await routes.stop();
        }
      } finally {
        await local.stop();
      }
    },
  );
});

interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakMb: number;
  ms: number;
}

/** Runs the real CLI and samples its peak resident memory (VmHWM) from /proc until it exits. */
function runMeasured(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<MeasuredRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const peak = trackPeakMemory(child.pid, 20);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve({ code, stdout, stderr, peakMb: peak.stop() / 1024, ms: performance.now() - started });
    });
  });
}

describe('the CLI with a source over the limit', () => {
  const feedProject = (route: string) =>
    makeProject({ posts: [], config: { source: { type: 'feed', url: `${server.url}${route}` } } });
  let usualMb = 0;

  it('previews a normal feed (the usual peak memory)', async () => {
    const run = await runMeasured(['preview'], feedProject('/feed.xml'));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    usualMb = run.peakMb;
    expect(usualMb).toBeGreaterThan(20);
  }, 60_000);

  it.each(['/endless', '/oversized'])(
    'preview of a feed at %s fails fast with the limit in one line, memory near its usual level',
    async (route) => {
      const run = await runMeasured(['preview'], feedProject(route));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/feed http:\/\/127\.0\.0\.1:\d+\/\w+: the answer .* over the limit of 20 MB/);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(run.ms).toBeLessThan(15_000);
      // An unbounded read of these bodies peaked at 1 GB; the bounded one holds at most 20 MB of body.
      expect(run.peakMb).toBeLessThan(300);
      expect(run.peakMb).toBeLessThan(usualMb + 100);
    },
    60_000,
  );

  it.each(['endless', 'oversized'] as const)(
    'send from the Pinboard API answering posts/all with an %s body fails with the limit, state untouched',
    async (fault) => {
      const pinboard = await startPinboardServer({ token: TOKEN, posts: [] });
      try {
        pinboard.inject('posts/all', fault);
        // posts/update must say something changed for posts/all to be called.
        pinboard.posts = [
          {
            href: 'https://example.com/x',
            description: 'X',
            extended: '',
            time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            shared: 'yes',
            toread: 'no',
            tags: 'x',
          },
        ];
        const cwd = makeProject({ posts: [], config: { source: { type: 'pinboard-api', user: 'tester' } } });
        const run = await runMeasured(['send'], cwd, { PINBOARD_TOKEN: TOKEN, PINBOARD_API_URL: pinboard.url });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/Pinboard posts\/all: the answer .* over the limit of 20 MB/);
        expect(run.stderr).not.toContain('0123456789ABCDEF');
        expect(run.peakMb).toBeLessThan(300);
        expect(pinboard.calls.map((c) => c.method)).toEqual(['posts/update', 'posts/all']);
        const state = path.join(cwd, '.digest');
        expect(existsSync(path.join(state, 'issues')) ? readdirSync(path.join(state, 'issues')) : []).toEqual([]);
        expect(existsSync(path.join(cwd, 'outbox'))).toBe(false);
      } finally {
        await pinboard.stop();
      }
    },
    60_000,
  );
});
