/**
 * Several sources in one digest (issue 12, item 8), through real `send` runs: a source that is down is left
 * out and caught up in the next issue from its own window start, nothing lost and nothing twice; with
 * `sourceFailure: "stop"` any failure stops the run and moves nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type FeedRoute, rssFeed, startFeedServer } from './servers/feed-server';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
const link = (site: string, n: number, h: number, tags?: string[]) => ({
  url: `https://${site}.example.com/${n}`,
  title: `${site} ${n}`,
  date: hoursAgo(h),
  ...(tags ? { tags } : {}),
});

/** Every issue's links, in issue order, as stored. */
function issues(cwd: string): { links: string[]; html: string }[] {
  const dir = path.join(cwd, '.digest', 'issues');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const record = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      return {
        links: record.model.sections.flatMap((s: { bookmarks: { url: string }[] }) => s.bookmarks.map((b) => b.url)),
        html: record.rendered.html as string,
      };
    });
}

describe('pinboard-digest send with several sources', () => {
  it('sends without a source that is down, then catches it up: across three runs nothing is lost or sent twice', async () => {
    const a1 = link('linkding', 1, 30);
    const a2 = link('linkding', 2, 10);
    const a3 = link('linkding', 3, 1);
    // Saved before issue 1's newest link: outside the window a single cursor would give the next issue.
    const b1 = link('blog', 1, 25);
    const b2 = link('blog', 2, 2);
    const linkding: FeedRoute = { body: rssFeed('linkding', [a1, a2]) };
    const blog: FeedRoute = { down: 503 };
    const server = await startFeedServer({ '/linkding.xml': linkding, '/blog.xml': blog });
    try {
      const cwd = makeProject({
        posts: [
          rawPost(20, 1, { tags: 'web' }),
          rawPost(5, 2, { shared: 'no', description: 'PRIVATE' }),
          // Also in the blog feed, which does not know it is private.
          rawPost(4, 3, { href: b2.url, shared: 'no', description: 'PRIVATE TOO' }),
        ],
        config: {
          source: [
            { type: 'file', path: 'bookmarks.json', user: 'tester' },
            { type: 'feed', url: `${server.url}/linkding.xml` },
            { type: 'feed', url: `${server.url}/blog.xml` },
          ],
        },
      });

      const first = await runCli(['send'], { cwd });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Issue #1 "My Links #1: 3 links" delivered: sent 2/);
      expect(first.stderr).toMatch(
        /warning: feed http:\/\/127\.0\.0\.1:\d+\/blog\.xml: server error 503 \(gave up after 3 attempts\); left out of this issue/,
      );
      expect(first.stderr).toMatch(
        /sources: read 2 of 3; not read, caught up in a later issue: feed http:\/\/127\.0\.0\.1:\d+\/blog\.xml/,
      );
      expect(issues(cwd)[0]?.links.sort()).toEqual(['https://example.com/1', a1.url, a2.url].sort());
      // Profile and tag pages come from the first Pinboard source (the export of user tester).
      expect(issues(cwd)[0]?.html).toContain('https://pinboard.in/u:tester/');

      // The blog is back, with an older link, a newer one, and a link issue 1 already carried; linkding has a new one.
      blog.down = undefined;
      blog.body = rssFeed('blog', [b1, b2, { ...a2, tags: ['again'] }]);
      linkding.body = rssFeed('linkding', [a1, a2, a3]);
      const second = await runCli(['send'], { cwd });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Issue #2 "My Links #2: 2 links" delivered: sent 2/);
      expect(issues(cwd)[1]?.links.sort()).toEqual([b1.url, a3.url].sort());
      expect(second.stderr).not.toMatch(/sources: read/);

      const third = await runCli(['send'], { cwd });
      expect(third.code).toBe(0);
      expect(third.stdout).toMatch(/Nothing to send/);

      const sent = issues(cwd).flatMap((i) => i.links);
      expect(sent.sort()).toEqual(['https://example.com/1', a1.url, a2.url, a3.url, b1.url].sort());
      expect(new Set(sent).size).toBe(sent.length);
      // b2 is private in the Pinboard export: a public copy elsewhere does not make it public.
      expect(sent).not.toContain(b2.url);
      expect(JSON.stringify(issues(cwd))).not.toContain('PRIVATE');
      // Two subscribers, two issues, one message each.
      expect(readdirSync(path.join(cwd, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(4);
      // The blog was first read whole (it had never answered), then asked conditionally and not modified.
      expect(server.requestsTo('/blog.xml').map((r) => [r.status, r.ifNoneMatch !== undefined])).toEqual([
        [503, false],
        [503, false],
        [503, false],
        [200, false],
        [304, true],
      ]);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('with sourceFailure "stop", one failed source stops the run and moves nothing', async () => {
    const a1 = link('linkding', 1, 30);
    const b1 = link('blog', 1, 20);
    const blog: FeedRoute = { down: 404 };
    const server = await startFeedServer({
      '/linkding.xml': { body: rssFeed('linkding', [a1]) },
      '/blog.xml': blog,
    });
    try {
      const cwd = makeProject({
        posts: [],
        config: {
          source: [
            { type: 'feed', url: `${server.url}/linkding.xml` },
            { type: 'feed', url: `${server.url}/blog.xml` },
          ],
          sourceFailure: 'stop',
        },
      });
      const stopped = await runCli(['send'], { cwd });
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).toMatch(
        /1 of 2 sources failed and sourceFailure is "stop": feed http:\/\/127\.0\.0\.1:\d+\/blog\.xml: HTTP 404: unavailable\. Nothing composed, state unchanged/,
      );
      expect(stopped.stderr).not.toMatch(/\n\s+at /);
      expect(issues(cwd)).toEqual([]);

      blog.down = undefined;
      blog.body = rssFeed('blog', [b1]);
      const sent = await runCli(['send'], { cwd });
      expect(sent.code).toBe(0);
      expect(issues(cwd).map((i) => i.links.sort())).toEqual([[b1.url, a1.url].sort()]);
      // The stopped run kept no validators: linkding is read whole again, not answered 304.
      expect(server.requestsTo('/linkding.xml').map((r) => [r.status, r.ifNoneMatch ?? null])).toEqual([
        [200, null],
        [200, null],
      ]);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
