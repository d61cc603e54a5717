/**
 * Translates Pinboard's post JSON (API `posts/all` and the JSON export share it) into `Bookmark`.
 * Raw quirks stop here: "yes"/"no" strings, space-separated tags, HTML entities in text and tags.
 */
import { SourceError } from '../core/errors';
import type { Bookmark } from '../core/model';

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  // Typography that feeds (WordPress above all) leave escaped in titles and excerpts.
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
};

/** Decodes the entities Pinboard and feeds leave in titles and tags (`&amp;`, `&#39;`, `&#x2F;`, `&hellip;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    // Own keys only: `&constructor;` is text, not Object's constructor.
    const name = body.toLowerCase();
    return Object.hasOwn(NAMED, name) ? (NAMED[name] as string) : whole;
  });
}

export function splitTags(tags: string): string[] {
  return decodeEntities(tags)
    .split(/\s+/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Pinboard writes times as `2026-11-20T09:00:00Z`; anything unparseable is an error naming the post. */
export function toIsoTime(value: unknown, where: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new SourceError(`${where}: "time" is not a date: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One post; `where` names it in errors (e.g. `bookmarks.json item 3`). */
export function fromPinboardPost(raw: unknown, where: string): Bookmark {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SourceError(`${where}: expected a post object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const post = raw as Record<string, unknown>;
  const url = str(post.href).trim();
  if (!url) throw new SourceError(`${where}: post has no "href"`);
  return {
    url,
    title: decodeEntities(str(post.description)).trim(),
    note: decodeEntities(str(post.extended)).trim(),
    tags: splitTags(str(post.tags)),
    savedAt: toIsoTime(post.time, where),
    // Private unless Pinboard says "yes": a missing or odd value must never publish a bookmark.
    shared: post.shared === 'yes',
    toread: post.toread === 'yes',
  };
}

/** A `posts/all` body or an export file: a bare array of posts. */
export function fromPinboardPosts(raw: unknown, where: string): Bookmark[] {
  if (!Array.isArray(raw)) throw new SourceError(`${where}: expected a JSON array of posts`);
  return raw.map((post, i) => fromPinboardPost(post, `${where} item ${i + 1}`));
}

export const pinboardProfileUrl = (user: string) => `https://pinboard.in/u:${encodeURIComponent(user)}/`;
export const pinboardTagUrl = (user: string, tag: string) =>
  `https://pinboard.in/u:${encodeURIComponent(user)}/t:${encodeURIComponent(tag)}/`;
