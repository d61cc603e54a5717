/**
 * Real-world feed shapes (tests/fixtures/feeds/, written for the project; expected.json says what each
 * must yield). Every one yields its links, or, where it truly is no feed, fails with one clear line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readFeedBody } from '../../../../lambda/adapters/feed/read';
import { SourceError } from '../../../../lambda/core/errors';

interface Expected {
  about: string;
  contentType: string;
  url: string;
  format?: string;
  links?: string[];
  titles?: string[];
  tags?: string[][];
  notes?: string[];
  /** How many items have no date of their own (the source dates them when first seen). */
  undated?: number;
  warnings?: string[];
  error?: string;
}

const DIR = path.resolve(__dirname, '../../../fixtures/feeds');
const EXPECTED: Record<string, Expected> = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8'));

const read = (file: string, want: Expected) =>
  readFeedBody({ body: readFileSync(path.join(DIR, file)), contentType: want.contentType }, want.url, 'fixture');

describe('feed fixtures', () => {
  it('has an expectation for every fixture file', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'expected.json' && f !== 'README.md');
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (file, want) => {
    if (want.error) {
      it(`is no feed and fails with one clear line (${want.about})`, () => {
        expect(() => read(file, want)).toThrow(SourceError);
        expect(() => read(file, want)).toThrow(want.error);
        expect(want.error).not.toContain('\n');
      });
      return;
    }
    it(`yields its links (${want.about})`, () => {
      const result = read(file, want);
      expect(result.format).toBe(want.format);
      expect(result.bookmarks.map((b) => b.url)).toEqual(want.links);
      if (want.titles) expect(result.bookmarks.map((b) => b.title)).toEqual(want.titles);
      if (want.tags) expect(result.bookmarks.map((b) => b.tags)).toEqual(want.tags);
      if (want.notes) expect(result.bookmarks.map((b) => b.note)).toEqual(want.notes);
      expect(result.bookmarks.filter((b) => b.savedAt === undefined)).toHaveLength(want.undated ?? 0);
      expect(result.warnings).toEqual(want.warnings ?? []);
      for (const b of result.bookmarks) {
        expect(b).toMatchObject({ shared: true, toread: false });
        if (b.savedAt !== undefined) expect(b.savedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    });
  });

  it('reads the charset from the declaration when the header says nothing, and from the header alone', () => {
    const cyrillic = readFileSync(path.join(DIR, 'windows-1251.xml'));
    // The header alone (the declaration removed): still windows-1251.
    const undeclared = Buffer.from(cyrillic.toString('latin1').replace(' encoding="windows-1251"', ''), 'latin1');
    const byHeader = readFeedBody(
      { body: undeclared, contentType: 'application/rss+xml; charset=windows-1251' },
      'https://zametki.example.ru/rss',
      'fixture',
    );
    expect(byHeader.bookmarks.map((b) => b.title)).toEqual(EXPECTED['windows-1251.xml']?.titles);
    // Neither: read as UTF-8, as the XML spec says, and the damage is said.
    const neither = readFeedBody(
      { body: undeclared, contentType: 'application/rss+xml' },
      'https://z.example.ru/',
      'f',
    );
    expect(neither.bookmarks[0]?.title).toContain('\ufffd');
    expect(neither.warnings).toEqual([
      'f: bytes that are not UTF-8 were replaced (the feed declares no other charset)',
    ]);
  });
});
