/** PinboardApiSource against a Pinboard-compatible server that enforces the documented limits. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lambda/adapters/file-store';
import { type PinboardApiOptions, PinboardApiSource } from '../../lambda/adapters/pinboard-api';
import { SourceError } from '../../lambda/core/errors';
import { composeNextIssue } from '../../lambda/jobs/compose-next';
import { composeOptions, PLACEHOLDER, shippedRenderer } from '../helpers/factories';
import { hoursAgo, rawPost as post } from '../helpers/pinboard-posts';
import { startPinboardServer } from './servers/pinboard-server';

const TOKEN = 'tester:0123456789ABCDEF0123';

const samplePosts = () => [
  post(200, 1),
  post(50, 2),
  post(30, 3, { shared: 'no', description: 'PRIVATE' }),
  post(10, 4),
  post(1, 5),
];

/** Fast limits for fault tests: the server enforces the same spacing the client keeps. */
const FAST = { minIntervalMs: 150, allIntervalMs: 60_000 };
const fastClient: Partial<PinboardApiOptions> = {
  minIntervalMs: 150,
  allIntervalMs: 60_000,
  timeoutMs: 500,
  retry: { attempts: 3, baseDelayMs: 150, maxDelayMs: 1000, jitter: 0 },
};

async function setup(serverOptions = FAST, client = fastClient) {
  const server = await startPinboardServer({ token: TOKEN, posts: samplePosts(), ...serverOptions });
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-pinboard-'));
  const store = new FileStore(dir);
  const source = new PinboardApiSource({ baseUrl: server.url, token: TOKEN, memo: store, ...client });
  const compose = async (src = source) =>
    composeNextIssue(
      {
        sources: [{ id: 'pinboard-api:tester', source: src }],
        store,
        render: await shippedRenderer(),
        options: { ...composeOptions(), firstIssueDays: 7 },
        placeholder: PLACEHOLDER,
        sampleUnsubscribeUrl: 'https://digest.example.com/unsubscribe?token=x',
      },
      new Date(),
    );
  return { server, store, dir, source, compose };
}

const errorOf = async (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );

describe('PinboardApiSource against a rate-limited Pinboard server', () => {
  it('with Pinboard’s real limits: posts/update then posts/all, two calls, no 429, private posts never shown', async () => {
    const { server, compose } = await setup({ minIntervalMs: 3000, allIntervalMs: 300_000 }, {});
    try {
      const next = await compose();
      expect(server.calls.map((c) => [c.method, c.status])).toEqual([
        ['posts/update', 200],
        ['posts/all', 200],
      ]);
      expect((server.calls[1]?.at ?? 0) - (server.calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
      expect(server.calls[1]?.params.fromdt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      if (next.kind !== 'issue') throw new Error('expected an issue');
      const titles = next.record.model.sections.flatMap((s) => s.bookmarks.map((b) => b.title));
      expect(titles).toEqual(['Post 2', 'Post 4', 'Post 5']);
      expect(JSON.stringify(next.record)).not.toContain('PRIVATE');
    } finally {
      await server.stop();
    }
  }, 20_000);

  it('stops after posts/update when nothing changed since the window start', async () => {
    const { server, source } = await setup();
    try {
      const result = await source.fetchSince(new Date().toISOString());
      expect(result.unchanged).toBe(true);
      expect(server.calls.map((c) => c.method)).toEqual(['posts/update']);
    } finally {
      await server.stop();
    }
  });

  it('a second run within 5 minutes reuses the first answer instead of calling posts/all again', async () => {
    const { server, compose, dir } = await setup();
    try {
      await compose();
      const again = await compose();
      expect(again.kind).toBe('issue');
      expect(server.calls.map((c) => `${c.method} ${c.status}`)).toEqual([
        'posts/update 200',
        'posts/all 200',
        'posts/update 200',
      ]);
      // The remembered answer holds public bookmarks only.
      const memo = await new FileStore(dir).getMemo('pinboard-api:tester:posts-all');
      expect(memo).toContain('Post 5');
      expect(memo).not.toContain('PRIVATE');
    } finally {
      await server.stop();
    }
  });

  it('when bookmarks changed within 5 minutes, says when to try again instead of earning a 429', async () => {
    const { server, compose } = await setup();
    try {
      await compose();
      server.posts = [...server.posts, post(0, 6)];
      const error = await errorOf(compose());
      expect(error).toBeInstanceOf(SourceError);
      expect(error.message).toMatch(/once every 5 minutes.*try again after \d{4}-/);
      expect(server.calls.filter((c) => c.status === 429)).toHaveLength(0);
    } finally {
      await server.stop();
    }
  });

  it('fails clearly on a wrong token (401), without the token in the message', async () => {
    const { server, dir, store } = await setup();
    try {
      const bad = new PinboardApiSource({
        baseUrl: server.url,
        token: 'tester:WRONGTOKEN',
        memo: store,
        ...fastClient,
      });
      const error = await errorOf(bad.fetchSince(hoursAgo(24)));
      expect(error).toBeInstanceOf(SourceError);
      expect(error.message).toMatch(/refused the token \(401\).*PINBOARD_TOKEN/);
      expect(error.message).not.toContain('WRONGTOKEN');
      expect(readdirSync(dir)).not.toContain('issues');
    } finally {
      await server.stop();
    }
  });

  it('backs off and retries a 429, doubling the wait, then succeeds', async () => {
    const { server, compose } = await setup();
    try {
      server.inject('posts/all', 'status429', 2);
      const next = await compose();
      expect(next.kind).toBe('issue');
      const all = server.calls.filter((c) => c.method === 'posts/all');
      expect(all.map((c) => c.status)).toEqual([429, 429, 200]);
      const [a, b, c] = all.map((x) => x.at) as [number, number, number];
      expect(c - b).toBeGreaterThanOrEqual(2 * 150 - 20);
      expect(b - a).toBeGreaterThanOrEqual(150 - 20);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['status500', 3, /Pinboard posts\/all: server error 500 \(gave up after 3 attempts\)/],
    ['status429', 3, /Pinboard posts\/all: rate limited \(429 Too Many Requests\) \(gave up after 3 attempts\)/],
    ['html', 1, /Pinboard posts\/all: Pinboard sent a non-JSON body \(text\/html; charset=utf-8\): <!DOCTYPE html>/],
    ['truncated', 1, /Pinboard posts\/all: Pinboard sent malformed JSON: \[\{"href"/],
    ['hang', 3, /Pinboard posts\/all: no answer within 0.5 s \(gave up after 3 attempts\)/],
  ] as const)('on %s: a clear SourceError, and no state written', async (fault, times, message) => {
    const { server, compose, store } = await setup();
    try {
      server.inject('posts/all', fault, times);
      const error = await errorOf(compose());
      expect(error).toBeInstanceOf(SourceError);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(TOKEN.split(':')[1]);
      const history = await store.history();
      expect(history.nextIssue).toBe(1);
      expect(history.unfinished).toBeUndefined();
      expect(server.calls.filter((c) => c.method === 'posts/all')).toHaveLength(times);
      // Only the retries the fault earned: never a 429 from calling too fast.
      expect(server.calls.filter((c) => c.status === 429).length).toBe(fault === 'status429' ? times : 0);
    } finally {
      await server.stop();
    }
  });
});
