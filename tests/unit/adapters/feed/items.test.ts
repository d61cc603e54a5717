/** Entries → bookmarks: links resolved (xml:base, then the alternate link, then the fetched URL) and checked. */
import type { FeedDocument, FeedEntry } from '../../../../lambda/adapters/feed/entries';
import { describeSkipped, feedItems, feedTime, isPrivateHost } from '../../../../lambda/adapters/feed/items';

const entry = (link: string | undefined, more: Partial<FeedEntry> = {}): FeedEntry => ({
  link,
  bases: [],
  title: 't',
  note: '',
  tags: [],
  date: '2026-11-20T00:00:00Z',
  ...more,
});
const feed = (entries: FeedEntry[], home?: FeedDocument['home']): FeedDocument => ({
  format: 'RSS 2.0',
  home,
  entries,
  unreadable: {},
});
const FETCHED = 'https://cdn.example.com/feeds/main.xml';
const urls = (doc: FeedDocument) => feedItems(doc, FETCHED).bookmarks.map((b) => b.url);

describe('feedItems: resolving links (RFC 4287 §2, RFC 3986 §5.2)', () => {
  it('resolves against the fetched URL when the feed says nothing else', () => {
    expect(urls(feed([entry('post/1'), entry('/root'), entry('../up'), entry('//other.example.org/x')]))).toEqual([
      'https://cdn.example.com/feeds/post/1',
      'https://cdn.example.com/root',
      'https://cdn.example.com/up',
      'https://other.example.org/x',
    ]);
  });

  it("prefers the feed's alternate link to the fetched URL (itself resolved against the fetched URL)", () => {
    expect(urls(feed([entry('post/1')], { link: 'https://blog.example.net/b/', bases: [] }))).toEqual([
      'https://blog.example.net/b/post/1',
    ]);
    expect(urls(feed([entry('post/1')], { link: '/site/', bases: [] }))).toEqual([
      'https://cdn.example.com/site/post/1',
    ]);
  });

  it('prefers xml:base, each base resolved against the one before it', () => {
    const home = { link: 'https://blog.example.net/', bases: [] };
    expect(urls(feed([entry('p', { bases: ['https://a.example.org/x/', 'y/', '../z/'] })], home))).toEqual([
      'https://a.example.org/x/z/p',
    ]);
    expect(urls(feed([entry('p', { bases: ['/archive/'] })], home))).toEqual(['https://blog.example.net/archive/p']);
  });

  it('keeps absolute links as they are, and ignores a home link that is not http(s)', () => {
    expect(
      urls(feed([entry('https://x.example.com/a'), entry('b')], { link: 'mailto:me@x.example.com', bases: [] })),
    ).toEqual(['https://x.example.com/a', 'https://cdn.example.com/feeds/b']);
  });
});

describe('feedItems: what is kept', () => {
  it('skips and counts items without a link, with other schemes, to private hosts, or repeated', () => {
    const result = feedItems(
      feed([
        entry(undefined),
        entry('   '),
        entry('javascript:alert(1)'),
        entry('mailto:a@b.example'),
        entry('http://127.0.0.1:8080/admin'),
        entry('http://[::1]/'),
        entry('https://example.com/a?utm_source=feed'),
        entry('https://EXAMPLE.com/a/'),
        entry('http://exa mple.com/'),
      ]),
      FETCHED,
    );
    expect(result.bookmarks.map((b) => b.url)).toEqual(['https://example.com/a?utm_source=feed']);
    expect(result.skipped).toEqual({
      'without a link': 2,
      'with a javascript: link': 1,
      'with a mailto: link': 1,
      'linking to a private address': 2,
      repeated: 1,
      'with an unreadable link': 1,
    });
    expect(describeSkipped(result.skipped, 9)).toBe(
      '8 of 9 items skipped: 2 without a link, 1 with a javascript: link, 1 with a mailto: link, 2 linking to a private address, 1 repeated, 1 with an unreadable link',
    );
  });

  it('leaves undated items without a time, and counts the dates it could not read', () => {
    const result = feedItems(
      feed([
        entry('https://a.example.com/', { date: undefined }),
        entry('https://b.example.com/', { date: 'someday' }),
      ]),
      FETCHED,
    );
    expect(result.bookmarks.map((b) => b.savedAt)).toEqual([undefined, undefined]);
    expect(result).toMatchObject({ undated: 2, unreadableDates: 1 });
  });

  it('gives an untitled item the start of its note as a title', () => {
    const [b] = feedItems(
      feed([entry('https://a.example.com/', { title: '', note: 'First line here\nsecond' })]),
      FETCHED,
    ).bookmarks;
    expect(b?.title).toBe('First line here');
  });
});

describe('isPrivateHost', () => {
  it.each([
    'localhost',
    'app.localhost',
    'printer.local',
    'db.internal',
    'router.home.arpa',
    'intranet',
    '10.1.2.3',
    '127.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '[::1]',
    '[fd00::1]',
    '[fe80::1]',
    '[::ffff:7f00:1]',
  ])('%s is private', (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });

  it.each([
    'example.com',
    'www.example.co.uk',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '[2001:db8::1]',
    '[::ffff:808:808]',
  ])('%s is public', (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });

  it('sees through the forms URL normalizes (0x7f.1, 2130706433)', () => {
    expect(isPrivateHost(new URL('http://0x7f.1/').hostname)).toBe(true);
    expect(isPrivateHost(new URL('http://2130706433/').hostname)).toBe(true);
  });
});

describe('feedTime', () => {
  it.each([
    ['Tue, 10 Nov 2026 04:00:00 GMT', '2026-11-10T04:00:00.000Z'],
    ['Tue, 10 Nov 2026 04:00:00 +0300', '2026-11-10T01:00:00.000Z'],
    ['Tue, 10 Nov 2026 04:00:00 EST', '2026-11-10T09:00:00.000Z'],
    ['2026-11-10T04:00:00+09:00', '2026-11-09T19:00:00.000Z'],
    ['2026-11-10', '2026-11-10T00:00:00.000Z'],
    // No zone: UTC, whatever the machine's zone (V8 would read these as local time).
    ['2026-11-10 04:00:00', '2026-11-10T04:00:00.000Z'],
    ['2026-11-10T04:00', '2026-11-10T04:00:00.000Z'],
    ['10 Nov 2026 04:00:00', '2026-11-10T04:00:00.000Z'],
    ['  2026-11-10T04:00:00Z  ', '2026-11-10T04:00:00.000Z'],
  ])('%p → %p', (raw, iso) => {
    expect(feedTime(raw)).toBe(iso);
  });

  it.each([undefined, '', 'yesterday', '2026-13-45', '1763640000'])('%p is no date', (raw) => {
    expect(feedTime(raw)).toBeUndefined();
  });
});
