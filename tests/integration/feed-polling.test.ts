/**
 * Polite polling (issue 12, item 7) against a local feed host: conditional requests with the last answer's
 * ETag and Last-Modified, a 304 read as "nothing new" with nothing parsed, validators that move only with a
 * sent issue, and redirects followed by hand (at most 5; a permanent move named so the config can follow).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FeedSource } from '../../lambda/adapters/feed';
import { SourceError } from '../../lambda/core/errors';
import { runCli } from '../helpers/cli';
import { makeProject } from '../helpers/project';
import { etagOf, type FeedRoute, rssFeed, startFeedServer } from './servers/feed-server';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
const WEEK_AGO = hoursAgo(24 * 7).toISOString();

const item = (n: number, h: number) => ({
  url: `https://blog.example.com/${n}`,
  title: `Post ${n}`,
  date: hoursAgo(h),
});

describe('FeedSource with conditional requests', () => {
  it('sends the last answer’s ETag and Last-Modified, and reads a 304 as unchanged with no bookmarks', async () => {
    const body = rssFeed('Blog', [item(1, 30), item(2, 10)]);
    const server = await startFeedServer({ '/feed.xml': { body } });
    try {
      const source = new FeedSource({ url: `${server.url}/feed.xml`, label: 'blog' });
      const first = await source.fetchSince(WEEK_AGO);
      expect(first.bookmarks.map((b) => b.url)).toEqual(['https://blog.example.com/2', 'https://blog.example.com/1']);
      expect(first.state).toEqual({ etag: etagOf(body), lastModified: 'Fri, 20 Nov 2026 00:00:00 GMT' });

      const second = await source.fetchSince(WEEK_AGO, new Date().toISOString(), first.state);
      expect(second).toEqual({ bookmarks: [], unchanged: true, warnings: [], state: first.state });
      expect(server.requests).toEqual([
        { path: '/feed.xml', status: 200 },
        {
          path: '/feed.xml',
          ifNoneMatch: etagOf(body),
          ifModifiedSince: 'Fri, 20 Nov 2026 00:00:00 GMT',
          status: 304,
        },
      ]);
    } finally {
      await server.stop();
    }
  });

  it('reads the whole feed again once it has changed', async () => {
    const route: FeedRoute = { body: rssFeed('Blog', [item(1, 30)]) };
    const server = await startFeedServer({ '/feed.xml': route });
    try {
      const source = new FeedSource({ url: `${server.url}/feed.xml`, label: 'blog' });
      const first = await source.fetchSince(WEEK_AGO);
      route.body = rssFeed('Blog', [item(1, 30), item(2, 1)]);
      route.modified = new Date();
      const second = await source.fetchSince(WEEK_AGO, new Date().toISOString(), first.state);
      expect(second.unchanged).toBe(false);
      expect(second.bookmarks).toHaveLength(2);
      expect(second.state?.etag).toBe(etagOf(route.body));
      expect(server.requests.map((r) => [r.status, r.ifNoneMatch])).toEqual([
        [200, undefined],
        [200, first.state?.etag],
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('FeedSource following redirects itself', () => {
  const chain = (prefix: string, length: number, status: 301 | 302 = 302): Record<string, FeedRoute> =>
    Object.fromEntries(
      Array.from({ length }, (_, i) => [
        `/${prefix}${i}`,
        { redirect: { status, to: i + 1 < length ? `/${prefix}${i + 1}` : '/feed.xml' } },
      ]),
    );

  it('follows a permanent move and names the new URL so the config can be updated', async () => {
    const server = await startFeedServer({
      '/old.xml': { redirect: { status: 301, to: '/blog/feed.xml' } },
      '/blog/feed.xml': { body: rssFeed('Blog', [item(1, 3)]) },
    });
    try {
      const result = await new FeedSource({ url: `${server.url}/old.xml`, label: 'blog' }).fetchSince(WEEK_AGO);
      expect(result.bookmarks.map((b) => b.url)).toEqual(['https://blog.example.com/1']);
      expect(result.warnings.filter((w) => w.includes('moved'))).toEqual([
        `blog: moved permanently to ${server.url}/blog/feed.xml: put the new URL in the config`,
      ]);
    } finally {
      await server.stop();
    }
  });

  it('does not call a temporary redirect a move, nor a 308 that follows one', async () => {
    const server = await startFeedServer({
      '/tmp': { redirect: { status: 302, to: '/moved' } },
      '/moved': { redirect: { status: 308, to: '/feed.xml' } },
      '/feed.xml': { body: rssFeed('Blog', [item(1, 3)]) },
    });
    try {
      const result = await new FeedSource({ url: `${server.url}/tmp`, label: 'blog' }).fetchSince(WEEK_AGO);
      expect(result.bookmarks).toHaveLength(1);
      expect(result.warnings.filter((w) => w.includes('moved'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('follows 5 redirects, and fails on the sixth in one clear line without retrying', async () => {
    const server = await startFeedServer({
      ...chain('ok', 5),
      ...chain('far', 6, 301),
      '/loop': { redirect: { status: 307, to: '/loop' } },
      '/feed.xml': { body: rssFeed('Blog', [item(1, 3)]) },
    });
    try {
      const source = (p: string) => new FeedSource({ url: `${server.url}${p}`, label: 'blog' });
      expect((await source('/ok0').fetchSince(WEEK_AGO)).bookmarks).toHaveLength(1);
      expect(server.requests.map((r) => r.path)).toEqual(['/ok0', '/ok1', '/ok2', '/ok3', '/ok4', '/feed.xml']);

      const tooFar = await source('/far0')
        .fetchSince(WEEK_AGO)
        .catch((e: unknown) => e);
      expect(tooFar).toBeInstanceOf(SourceError);
      expect((tooFar as Error).message).toBe(
        `blog: more than 5 redirects (the last to ${server.url}/feed.xml); nothing was read`,
      );
      expect(server.requestsTo('/feed.xml')).toHaveLength(1);
      expect(server.requests.filter((r) => r.path.startsWith('/far'))).toHaveLength(6);

      const loop = await source('/loop')
        .fetchSince(WEEK_AGO)
        .catch((e: unknown) => e);
      expect((loop as Error).message).toMatch(
        /^blog: more than 5 redirects \(the last to http:\/\/127\.0\.0\.1:\d+\/loop\)/,
      );
      expect(server.requestsTo('/loop')).toHaveLength(6);
    } finally {
      await server.stop();
    }
  });
});

describe('pinboard-digest polling a feed', () => {
  const linksOf = (cwd: string, issue: number): string[] => {
    const file = path.join(cwd, '.digest', 'issues', `${String(issue).padStart(6, '0')}.json`);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    return record.model.sections.flatMap((s: { bookmarks: { url: string }[] }) => s.bookmarks.map((b) => b.url));
  };

  it('asks conditionally only after an issue went out; a 304 is nothing to send; a changed feed is read again', async () => {
    const [one, two, three] = [item(1, 30), item(2, 10), item(3, 1)];
    const firstBody = rssFeed('Blog', [one, two]);
    const route: FeedRoute = { body: firstBody };
    const server = await startFeedServer({
      '/old.xml': { redirect: { status: 301, to: '/feed.xml' } },
      '/feed.xml': route,
    });
    try {
      const cwd = makeProject({
        posts: [],
        subscribers: [],
        config: { source: { type: 'feed', url: `${server.url}/old.xml` } },
      });
      const feedRequests = () => server.requestsTo('/feed.xml').map((r) => [r.status, r.ifNoneMatch ?? null]);

      // Neither a preview nor a run that sent nothing (no subscribers yet) may keep the validators.
      expect((await runCli(['preview'], { cwd })).code).toBe(0);
      const nobody = await runCli(['send'], { cwd });
      expect(nobody.stdout).toMatch(/No active subscribers/);
      expect((await runCli(['subscribers', 'add', 'reader@example.com', '--confirmed'], { cwd })).code).toBe(0);
      const first = await runCli(['send'], { cwd });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Issue #1 "My Links #1: 2 links" delivered/);
      expect(first.stderr).toContain(`moved permanently to ${server.url}/feed.xml: put the new URL in the config`);
      expect(feedRequests()).toEqual([
        [200, null],
        [200, null],
        [200, null],
      ]);

      const second = await runCli(['send'], { cwd });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Nothing to send: no bookmarks changed since/);
      expect(server.requestsTo('/feed.xml').at(-1)).toEqual({
        path: '/feed.xml',
        ifNoneMatch: etagOf(firstBody),
        ifModifiedSince: 'Fri, 20 Nov 2026 00:00:00 GMT',
        status: 304,
      });

      route.body = rssFeed('Blog', [one, two, three]);
      const third = await runCli(['send'], { cwd });
      expect(third.stdout).toMatch(/Issue #2 "My Links #2: 1 link" delivered/);
      expect(feedRequests().slice(3)).toEqual([
        [304, etagOf(firstBody)],
        [200, etagOf(firstBody)],
      ]);
      expect(linksOf(cwd, 1).sort()).toEqual(['https://blog.example.com/1', 'https://blog.example.com/2']);
      expect(linksOf(cwd, 2)).toEqual(['https://blog.example.com/3']);
      expect(readdirSync(path.join(cwd, '.digest', 'issues'))).toEqual(['000001.json', '000002.json']);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
