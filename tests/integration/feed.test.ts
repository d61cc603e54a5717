/**
 * FeedSource against local servers: Pinboard's RSS 1.0 (RDF) feeds, Atom, the shapes of issue 12 (xhtml titles,
 * Atom-style links in RSS, undated items, JSON Feed, charsets), feeds cut off in transfer, and the CLI reading feeds
 * end to end.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FeedSource, PINBOARD_FEED_COUNT, pinboardFeedUrl } from '../../lambda/adapters/feed';
import { SourceError } from '../../lambda/core/errors';
import { runCli } from '../helpers/cli';
import { makeProject } from '../helpers/project';
import { startBodyServer } from './servers/body-server';
import { startStaticServer } from './servers/static-server';

const WEEK_AGO = new Date(Date.now() - 7 * 86_400_000).toISOString();

interface Item {
  url: string;
  title: string;
  date: string;
  note?: string;
  tags?: string;
}

const rdf = (items: Item[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:taxo="http://purl.org/rss/1.0/modules/taxonomy/">
<channel rdf:about="https://pinboard.in">
<title>Pinboard (tester)</title><link>https://pinboard.in/u:tester/public/</link><description></description>
<items><rdf:Seq>${items.map((i) => `<rdf:li rdf:resource="${i.url}"/>`).join('')}</rdf:Seq></items>
</channel>
${items
  .map(
    (i) => `<item rdf:about="${i.url}">
<title>${i.title}</title>
<dc:date>${i.date}</dc:date>
<link>${i.url}</link>
<dc:creator>tester</dc:creator>
${i.note ? `<description><![CDATA[${i.note}]]></description>` : ''}
${i.tags ? `<dc:subject>${i.tags}</dc:subject>` : ''}
<dc:source>http://pinboard.in/</dc:source>
</item>`,
  )
  .join('\n')}
</rdf:RDF>`;

const ITEMS: Item[] = [
  {
    url: 'https://example.com/b',
    title: 'Beta &amp; more',
    date: '2026-11-21T10:00:00+00:00',
    note: 'Why B.',
    tags: 'rust programming',
  },
  { url: 'https://example.com/a', title: 'Alpha', date: '2026-11-20T09:00:00+00:00', tags: 'web' },
];

describe('FeedSource', () => {
  it('reads a Pinboard RSS feed: tags from dc:subject, dates, notes; asks for enough items', async () => {
    const server = await startStaticServer(() => ({ status: 200, type: 'application/rss+xml', body: rdf(ITEMS) }));
    try {
      const url = pinboardFeedUrl(server.url, 'tester', 'web dev');
      const source = new FeedSource({ url, label: 'feed', requestedCount: PINBOARD_FEED_COUNT });
      const result = await source.fetchSince('2026-11-01T00:00:00.000Z');
      expect(server.requests).toEqual([`/rss/u:tester/t:web%20dev/?count=${PINBOARD_FEED_COUNT}`]);
      expect(result.bookmarks).toEqual([
        {
          url: 'https://example.com/b',
          title: 'Beta & more',
          note: 'Why B.',
          tags: ['rust', 'programming'],
          savedAt: '2026-11-21T10:00:00.000Z',
          shared: true,
          toread: false,
        },
        expect.objectContaining({ url: 'https://example.com/a', tags: ['web'], savedAt: '2026-11-20T09:00:00.000Z' }),
      ]);
      expect(result.warnings).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('warns when a full feed does not reach back to the window start', async () => {
    const server = await startStaticServer(() => ({ status: 200, type: 'application/rss+xml', body: rdf(ITEMS) }));
    try {
      const source = new FeedSource({ url: `${server.url}/rss/u:tester/`, label: 'Pinboard feed', requestedCount: 2 });
      const result = await source.fetchSince('2026-11-01T00:00:00.000Z');
      expect(result.warnings).toEqual([
        expect.stringMatching(/oldest item \(2026-11-20T09:00:00.000Z\) is newer than the window start/),
      ]);
    } finally {
      await server.stop();
    }
  });

  it('reads an Atom feed, tags from categories', async () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:x</id><updated>2026-11-22T00:00:00Z</updated>
<entry><title>Entry</title><link href="https://blog.example/e1"/><id>urn:e1</id><updated>2026-11-22T00:00:00Z</updated>
<category term="css"/><summary>Sum.</summary></entry></feed>`;
    const server = await startStaticServer(() => ({ status: 200, type: 'application/atom+xml', body: atom }));
    try {
      const result = await new FeedSource({ url: `${server.url}/atom.xml`, label: 'blog' }).fetchSince(
        '2026-11-21T00:00:00.000Z',
      );
      expect(result.bookmarks).toEqual([
        expect.objectContaining({
          url: 'https://blog.example/e1',
          title: 'Entry',
          savedAt: '2026-11-22T00:00:00.000Z',
        }),
      ]);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      200,
      'text/html',
      '<html><body>Maintenance</body></html>',
      /^feed: not a readable RSS, Atom or JSON feed \(the document is <html>, not RSS, RDF or Atom\): <html>/,
    ],
    [
      200,
      'application/rss+xml',
      '<rdf:RDF><item><title>cut',
      /^feed: not a readable RSS, Atom or JSON feed \(cut off before any item was complete: Unclosed root tag at line 1, column 25\): <rdf:RDF>/,
    ],
    [404, 'text/plain', 'no such user', /feed: HTTP 404: no such user/],
    [503, 'text/plain', 'down', /feed: server error 503 \(gave up after 2 attempts\)/],
  ])('fails clearly on HTTP %s %s', async (status, type, body, message) => {
    const server = await startStaticServer(() => ({ status, type, body }));
    try {
      const source = new FeedSource({
        url: `${server.url}/rss/u:x/`,
        label: 'feed',
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10, jitter: 0 },
      });
      const error = await source.fetchSince('2026-11-01T00:00:00.000Z').catch((e: Error) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as Error).message).toMatch(message);
    } finally {
      await server.stop();
    }
  });
});

const FIXTURES = path.resolve(__dirname, '../fixtures/feeds');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

describe('FeedSource with the shapes that used to sink an issue (issue 12)', () => {
  it('reads an xhtml title, an Atom-style <link href> in RSS, and items with no date, as bookmarks', async () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Example <b>Atom</b></div></title>
<link href="https://blog.example/atom"/><updated>2026-11-22T00:00:00Z</updated></entry></feed>`;
    const rss = `<rss version="2.0"><channel><title>x</title>
<item><title>Atom-style</title><link href="https://blog.example/rss"/><pubDate>Sun, 22 Nov 2026 00:00:00 GMT</pubDate></item>
<item><title>No date</title><link>https://blog.example/undated</link></item></channel></rss>`;
    const server = await startBodyServer({ '/atom': { body: atom }, '/rss': { body: rss } });
    try {
      const [from, now] = ['2026-11-22T12:00:00.000Z', '2026-11-23T08:00:00.000Z'];
      const fromAtom = await new FeedSource({ url: `${server.url}/atom`, label: 'atom' }).fetchSince(from, now);
      expect(fromAtom.bookmarks.map((b) => [b.url, b.title])).toEqual([['https://blog.example/atom', 'Example Atom']]);
      const fromRss = await new FeedSource({ url: `${server.url}/rss`, label: 'rss' }).fetchSince(from, now);
      expect(fromRss.bookmarks.map((b) => [b.url, b.savedAt])).toEqual([
        ['https://blog.example/rss', '2026-11-22T00:00:00.000Z'],
        ['https://blog.example/undated', now],
      ]);
      expect(fromRss.warnings).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['by its content type', 'application/feed+json'],
    ['by its content, whatever the type says', 'text/plain'],
  ])('reads a JSON Feed chosen %s', async (_how, type) => {
    const server = await startBodyServer({
      '/feed.json': { body: fixture('jsonfeed-1.1.json'), headers: { 'content-type': type } },
    });
    try {
      const result = await new FeedSource({ url: `${server.url}/feed.json`, label: 'json' }).fetchSince(WEEK_AGO);
      expect(result.bookmarks.map((b) => b.url)).toEqual([
        'https://www.jsonfeed.org/version/1.1/',
        'https://linked.example.org/2026/11/20/microblog',
        'https://linked.example.org/2026/11/19/relative',
        'https://example.net/odd-shape',
      ]);
    } finally {
      await server.stop();
    }
  });

  it('reads the charset from the HTTP header (EUC-JP) and from the XML declaration (windows-1251)', async () => {
    const server = await startBodyServer({
      '/jp': { body: fixture('euc-jp.xml'), headers: { 'content-type': 'application/rdf+xml; charset=EUC-JP' } },
      '/ru': { body: fixture('windows-1251.xml'), headers: { 'content-type': 'application/rss+xml' } },
    });
    try {
      const jp = await new FeedSource({ url: `${server.url}/jp`, label: 'jp' }).fetchSince(WEEK_AGO);
      expect(jp.bookmarks.map((b) => b.title)).toEqual(['RSSリーダーの使い方', '漢字とかなの文字コード']);
      const ru = await new FeedSource({ url: `${server.url}/ru`, label: 'ru' }).fetchSince(WEEK_AGO);
      expect(ru.bookmarks.map((b) => b.title)).toEqual(['Как читать ленты новостей', 'Ещё одна ссылка — «в кавычках»']);
    } finally {
      await server.stop();
    }
  });
});

describe('pinboard-digest with a feed source', () => {
  const undatedFeed = (links: string[]) => `<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old school</title><link>https://oldschool.example.com/</link>
${links.map((l) => `<item><title>Item ${l}</title><link>https://oldschool.example.com/${l}</link></item>`).join('\n')}
</channel></rss>`;

  it('sends each undated item once, dated when first seen; a preview remembers nothing', async () => {
    const routes = { '/rss': { body: undatedFeed(['a', 'b']) } };
    const server = await startBodyServer(routes);
    try {
      const cwd = makeProject({ posts: [], config: { source: { type: 'feed', url: `${server.url}/rss` } } });
      const preview = await runCli(['preview'], { cwd });
      expect(preview.code).toBe(0);
      expect(preview.stdout).toMatch(/2 links/);
      const memo = () => {
        const file = path.join(cwd, '.digest', 'memo.json');
        return existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, 'utf8'))) : [];
      };
      expect(memo()).toEqual([]);

      const first = await runCli(['send'], { cwd });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Issue #1 .* delivered/);
      expect(memo()).toEqual(expect.arrayContaining([expect.stringMatching(/^feed-first-seen:/), 'source-cursors']));
      const again = await runCli(['send'], { cwd });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Nothing to send/);

      routes['/rss'].body = undatedFeed(['c', 'a', 'b']);
      const third = await runCli(['send'], { cwd });
      expect(third.stdout).toMatch(/Issue #2 .* delivered/);
      const issue2 = JSON.parse(readFileSync(path.join(cwd, '.digest', 'issues', '000002.json'), 'utf8'));
      const links = issue2.model.sections.flatMap((s: { bookmarks: { url: string }[] }) =>
        s.bookmarks.map((b) => b.url),
      );
      expect(links).toEqual(['https://oldschool.example.com/c']);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('previews the GitHub releases feed with its relative links resolved, and names a broken feed in one line', async () => {
    const routes = {
      '/releases.atom': { body: fixture('github-releases.atom'), headers: { 'content-type': 'application/atom+xml' } },
      '/moved': { body: fixture('not-a-feed.html'), headers: { 'content-type': 'text/html' } },
    };
    const server = await startBodyServer(routes);
    try {
      const cwd = makeProject({
        posts: [],
        config: { source: { type: 'feed', url: `${server.url}/releases.atom` }, select: { firstIssueDays: 3650 } },
      });
      const ok = await runCli(['preview', '--since', '2020-01-01'], { cwd });
      expect(ok.code).toBe(0);
      const model = JSON.parse(readFileSync(path.join(cwd, 'out', 'digest.json'), 'utf8'));
      const links = model.sections.flatMap((s: { bookmarks: { url: string }[] }) => s.bookmarks.map((b) => b.url));
      expect(links.sort()).toEqual([
        'https://github.com/gulpjs/gulp/releases/tag/v3.9.0',
        'https://github.com/gulpjs/gulp/releases/tag/v4.0.2',
        'https://github.com/gulpjs/gulp/releases/tag/v5.0.0',
        'https://github.com/gulpjs/gulp/releases/tag/v5.0.1',
      ]);

      const moved = makeProject({ posts: [], config: { source: { type: 'feed', url: `${server.url}/moved` } } });
      const broken = await runCli(['preview'], { cwd: moved });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(
        /feed http:\/\/127\.0\.0\.1:\d+\/moved: not a readable RSS, Atom or JSON feed \(the document is <html>, not RSS, RDF or Atom\)/,
      );
      expect(broken.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('reads the items before the cut of a truncated feed and says it was truncated, in preview and in send', async () => {
    const routes = {
      '/cut.xml': { body: fixture('rss-truncated.xml'), headers: { 'content-type': 'application/rss+xml' } },
    };
    const server = await startBodyServer(routes);
    try {
      const cwd = makeProject({
        posts: [],
        config: { source: { type: 'feed', url: `${server.url}/cut.xml` }, select: { firstIssueDays: 3650 } },
      });
      const warning = `warning: feed ${server.url}/cut.xml: truncated: the document ends before </rss>: read the 2 item(s) complete before the cut; left out 1 cut in half`;
      const whole = ['https://cut.example.com/2026/11/first', 'https://cut.example.com/2026/11/second'];
      const linksOf = (model: { sections: { bookmarks: { url: string }[] }[] }) =>
        model.sections.flatMap((s) => s.bookmarks.map((b) => b.url)).sort();

      const preview = await runCli(['preview', '--since', '2020-01-01'], { cwd });
      expect(preview.code).toBe(0);
      expect(preview.stderr.split('\n')).toContain(warning);
      expect(linksOf(JSON.parse(readFileSync(path.join(cwd, 'out', 'digest.json'), 'utf8')))).toEqual(whole);

      const sent = await runCli(['send'], { cwd });
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/Issue #1 .* delivered/);
      expect(sent.stderr.split('\n')).toContain(warning);
      const issue = JSON.parse(readFileSync(path.join(cwd, '.digest', 'issues', '000001.json'), 'utf8'));
      expect(linksOf(issue.model)).toEqual(whole);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
