/** Bookmarks from fixture files (Pinboard export format), and issues of a chosen size built from them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromPinboardPosts } from '../../lambda/adapters/pinboard-post';
import type { Bookmark } from '../../lambda/core/model';

export const ROOT = path.resolve(__dirname, '../..');

/** The bookmarks of a Pinboard-format JSON file, `file` relative to the project root. */
export function fixtureBookmarks(file: string): Bookmark[] {
  const full = path.join(ROOT, file);
  return fromPinboardPosts(JSON.parse(readFileSync(full, 'utf8')), full);
}

/**
 * `count` links made from the public http(s) bookmarks of `list`, repeated with distinct URLs and times
 * (one a minute from 2026-11-16), so an issue of any size reads like the fixture.
 */
export function repeatedTo(list: readonly Bookmark[], count: number): Bookmark[] {
  const sample = list.filter((b) => b.shared && !b.toread && b.url.startsWith('http') && !b.tags.includes('nodigest'));
  return Array.from({ length: count }, (_, i) => {
    const b = sample[i % sample.length] as Bookmark;
    return {
      ...b,
      url: `${b.url}${b.url.includes('?') ? '&' : '?'}n=${i}`,
      savedAt: new Date(Date.parse('2026-11-16T00:00:00Z') + i * 60_000).toISOString(),
    };
  });
}
