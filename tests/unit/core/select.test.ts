import { selectBookmarks } from '../../../lambda/core/select';
import { bookmark, composeOptions } from '../../helpers/factories';

const FROM = '2026-11-16T00:00:00.000Z';
const TO = '2026-11-23T00:00:00.000Z';
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

function select(bookmarks: ReturnType<typeof bookmark>[], opts = {}, sent: string[] = []) {
  return selectBookmarks({
    bookmarks,
    from: FROM,
    to: TO,
    sentLinks: new Set(sent),
    options: composeOptions(opts),
  });
}

describe('selectBookmarks', () => {
  it('never selects a private bookmark, and reports it only as a count', () => {
    const secret = bookmark({ shared: false, savedAt: at(20), title: 'SECRET' });
    const result = select([secret, bookmark({ savedAt: at(20) })]);
    expect(result.selected.map((b) => b.title)).not.toContain('SECRET');
    expect(result.report.private).toBe(1);
    expect(JSON.stringify(result.report)).not.toContain('SECRET');
  });

  it('leaves out to-read bookmarks unless includeToRead is set', () => {
    const unread = bookmark({ toread: true, savedAt: at(20) });
    expect(select([unread]).selected).toHaveLength(0);
    expect(select([unread]).report.toread).toBe(1);
    expect(select([unread], { includeToRead: true }).selected).toHaveLength(1);
  });

  it('leaves out bookmarks carrying an excluded tag, case-insensitively', () => {
    const result = select([bookmark({ tags: ['fun', 'NoDigest'], savedAt: at(20) }), bookmark({ savedAt: at(20) })]);
    expect(result.selected).toHaveLength(1);
    expect(result.report.excludedTag).toBe(1);
  });

  it('keeps only bookmarks with an included tag when includeTags is set', () => {
    const a = bookmark({ tags: ['rust'], savedAt: at(20) });
    const b = bookmark({ tags: ['cooking'], savedAt: at(20) });
    const result = select([a, b], { includeTags: ['Rust', 'go'] });
    expect(result.selected).toEqual([a]);
    expect(result.report.notIncludedTag).toBe(1);
  });

  it('lets a private tag drive exclusion', () => {
    const result = select([bookmark({ tags: ['web', '.skip'], savedAt: at(20) })], { excludeTags: ['.skip'] });
    expect(result.selected).toHaveLength(0);
  });

  it('drops links that are not http(s) and counts them by scheme', () => {
    const result = select([
      bookmark({ url: 'javascript:alert(1)', savedAt: at(20) }),
      bookmark({ url: 'mailto:x@example.com', savedAt: at(20) }),
      bookmark({ url: 'javascript:void(0)', savedAt: at(20) }),
      bookmark({ url: 'https://ok.example/', savedAt: at(20) }),
    ]);
    expect(result.selected.map((b) => b.url)).toEqual(['https://ok.example/']);
    expect(result.report.unsupportedScheme).toEqual({ 'javascript:': 2, 'mailto:': 1 });
  });

  it('keeps bookmarks inside the window, both ends included', () => {
    const before = bookmark({ savedAt: '2026-11-15T23:59:59.000Z' });
    const atStart = bookmark({ savedAt: FROM });
    const atEnd = bookmark({ savedAt: TO });
    const future = bookmark({ savedAt: '2026-11-23T00:00:01.000Z' });
    const result = select([before, atStart, atEnd, future]);
    expect(result.selected).toEqual([atStart, atEnd]);
    expect(result.report.outsideWindow).toBe(2);
  });

  it('drops links sent in earlier issues, compared by normalized URL', () => {
    const result = select([bookmark({ url: 'https://Example.com/a/?utm_source=rss#top', savedAt: at(20) })], {}, [
      'http://example.com/a',
    ]);
    expect(result.selected).toHaveLength(0);
    expect(result.report.alreadySent).toBe(1);
  });

  it('keeps the oldest of duplicate links inside one issue', () => {
    const older = bookmark({ url: 'https://example.com/a', savedAt: at(18) });
    const newer = bookmark({ url: 'https://EXAMPLE.com/a/', savedAt: at(21) });
    const result = select([newer, older]);
    expect(result.selected).toEqual([older]);
    expect(result.report.duplicate).toBe(1);
  });

  it('orders oldest first and carries the newest past maxBookmarks', () => {
    const list = [5, 3, 1, 4, 2].map((h) => bookmark({ savedAt: at(20, h) }));
    const result = select(list, { maxBookmarks: 3 });
    expect(result.selected.map((b) => b.savedAt)).toEqual([at(20, 1), at(20, 2), at(20, 3)]);
    expect(result.carried.map((b) => b.savedAt)).toEqual([at(20, 4), at(20, 5)]);
  });
});
