/**
 * JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) → `FeedDocument`. An item's link is its
 * `external_url` when it has one (a link blog's item points there; `url` is the post about it), else `url`.
 * Fields of unexpected shapes are read where they can be (`readText`, `readLink`), never trusted.
 */
import type { FeedDocument, FeedEntry } from './entries';
import { htmlToText, plainText, readLink, readText, tidy } from './text';

export type JsonFeedResult = { feed: FeedDocument } | { notAFeed: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tagsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value.slice(0, 200) : [value];
  return list.map((t) => tidy(readText(t) ?? '')).filter(Boolean);
}

function readItem(item: Record<string, unknown>): FeedEntry {
  const html = readText(item.content_html);
  const note = readText(item.content_text) ?? readText(item.summary);
  return {
    link: readLink(item.external_url) ?? readLink(item.url),
    bases: [],
    title: plainText(readText(item.title) ?? ''),
    note: note !== undefined ? tidy(note) : htmlToText(html ?? ''),
    tags: tagsOf(item.tags),
    date: readText(item.date_published) ?? readText(item.date_modified),
  };
}

export function readJsonFeed(value: unknown): JsonFeedResult {
  if (!isObject(value)) return { notAFeed: 'JSON, but no JSON Feed: not an object at the top' };
  if (!Array.isArray(value.items)) return { notAFeed: 'JSON, but no JSON Feed: no "items" list' };
  const version = /jsonfeed\.org\/version\/(\d+(?:\.\d+)?)/.exec(readText(value.version) ?? '')?.[1];
  const home = readLink(value.home_page_url);
  const entries: FeedEntry[] = [];
  const unreadable: Record<string, number> = {};
  for (const item of value.items as unknown[]) {
    if (isObject(item)) entries.push(readItem(item));
    else unreadable['not an object'] = (unreadable['not an object'] ?? 0) + 1;
  }
  return {
    feed: {
      format: version ? `JSON Feed ${version}` : 'JSON Feed (no version)',
      ...(home ? { home: { link: home, bases: [] } } : {}),
      entries,
      unreadable,
    },
  };
}
