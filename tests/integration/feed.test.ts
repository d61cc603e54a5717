/** FeedSource against a local server serving Pinboard's RSS 1.0 (RDF) feeds and an Atom feed. */
import { FeedSource, PINBOARD_FEED_COUNT, pinboardFeedUrl } from '../../lambda/adapters/feed';
import { SourceError } from '../../lambda/core/errors';
import { startStaticServer } from './servers/static-server';

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
    [200, 'text/html', '<html><body>Maintenance</body></html>', /feed: not a readable RSS or Atom feed/],
    [200, 'application/rss+xml', '<rdf:RDF><item><title>cut', /feed: not a readable RSS or Atom feed/],
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
