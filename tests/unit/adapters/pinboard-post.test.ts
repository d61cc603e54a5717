import { decodeEntities, fromPinboardPost, fromPinboardPosts } from '../../../lambda/adapters/pinboard-post';
import { SourceError } from '../../../lambda/core/errors';

describe('fromPinboardPost', () => {
  it('translates Pinboard’s raw post into a Bookmark', () => {
    const raw = JSON.parse(
      '{"href":"https:\\/\\/example.com\\/a","description":"Tom &amp; Jerry&#39;s","extended":"A &lt;note&gt;","meta":"m","hash":"h","time":"2026-11-20T09:00:00Z","shared":"yes","toread":"no","tags":"rust  c&amp;c .secret"}',
    );
    expect(fromPinboardPost(raw, 'x')).toEqual({
      url: 'https://example.com/a',
      title: "Tom & Jerry's",
      note: 'A <note>',
      tags: ['rust', 'c&c', '.secret'],
      savedAt: '2026-11-20T09:00:00.000Z',
      shared: true,
      toread: false,
    });
  });

  it('treats anything but shared "yes" as private', () => {
    const base = { href: 'https://e.example/', time: '2026-11-20T09:00:00Z' };
    expect(fromPinboardPost({ ...base, shared: 'no' }, 'x').shared).toBe(false);
    expect(fromPinboardPost({ ...base }, 'x').shared).toBe(false);
    expect(fromPinboardPost({ ...base, shared: true }, 'x').shared).toBe(false);
  });

  it('names the broken post in errors', () => {
    expect(() => fromPinboardPosts([{ href: 'https://a.example/', time: 'yesterday' }], 'export.json')).toThrow(
      new SourceError('export.json item 1: "time" is not a date: "yesterday"'),
    );
    expect(() => fromPinboardPosts([{ time: '2026-11-20T09:00:00Z' }], 'export.json')).toThrow(
      /item 1: post has no "href"/,
    );
    expect(() => fromPinboardPosts({ posts: [] }, 'export.json')).toThrow(/expected a JSON array/);
  });

  it('decodes numeric and named entities, leaving unknown ones alone', () => {
    expect(decodeEntities('&#x2F;&#47;&quot;&bogus;&#0;')).toBe('//"&bogus;&#0;');
  });
});
