/**
 * RSS 0.9x/2.0 (with or without a version), RSS 1.0 (RDF) and Atom (1.0 and 0.3) trees → `FeedDocument`.
 * Every field is read as text whatever its shape: an xhtml title is its text content, an RSS link written
 * Atom-style (`<link href>`) is a link, an Atom entry's link is `rel="alternate"` or has no rel (never
 * enclosure, related or self). Links are kept as written, with the `xml:base` values in scope.
 */
import type { FeedDocument, FeedEntry } from './entries';
import { htmlToText, plainText, tidy } from './text';
import { child, elements, localName, textContent, type XmlElement } from './xml-tree';

const withBase = (bases: string[], el: XmlElement | undefined): string[] => {
  const base = el?.attrs['xml:base']?.trim();
  return base ? [...bases, base] : bases;
};

const text = (el: XmlElement | undefined) => (el ? textContent(el).trim() : '');

/** The first non-empty text among these children, in the order named. */
function firstText(el: XmlElement, ...names: string[]): string | undefined {
  for (const name of names) {
    for (const c of elements(el, name)) {
      const value = text(c);
      if (value) return value;
    }
  }
  return undefined;
}

const ALTERNATE = new Set(['alternate', 'http://www.iana.org/assignments/relation/alternate']);
const isLinkElement = (el: XmlElement) => el.name === 'link' || (el.name.endsWith(':link') && el.name !== 'rdf:link');

/**
 * An alternate link among `<link>` (or `<atom:link>`) children: `href` with rel alternate or none (an HTML
 * type preferred), or, for RSS, a link's own text. Returns it with the bases in scope at that element.
 */
function alternateLink(
  el: XmlElement,
  bases: string[],
  textLinks: boolean,
): { link: string; bases: string[] } | undefined {
  let fallback: { link: string; bases: string[] } | undefined;
  for (const link of elements(el).filter(isLinkElement)) {
    const own = link.name === 'link' && textLinks ? text(link) : '';
    if (own) return { link: own, bases: withBase(bases, link) };
    const href = link.attrs.href?.trim();
    const rel = (link.attrs.rel ?? 'alternate').trim().toLowerCase();
    if (!href || !ALTERNATE.has(rel)) continue;
    const found = { link: href, bases: withBase(bases, link) };
    const type = (link.attrs.type ?? '').toLowerCase();
    if (!type || type.includes('html')) return found;
    fallback ??= found;
  }
  // Atom 0.3 and hand-written feeds put the URL in the element's text.
  if (!fallback && !textLinks) {
    for (const link of elements(el, 'link')) {
      const own = text(link);
      if (own && !link.attrs.rel) return { link: own, bases: withBase(bases, link) };
    }
  }
  return fallback;
}

/** Atom text constructs: `type="xhtml"` is its text content, `html` (or 0.3's `mode="escaped"`) is HTML. */
function atomText(el: XmlElement | undefined): string {
  if (!el) return '';
  const type = (el.attrs.type ?? 'text').toLowerCase();
  const raw = textContent(el);
  if (type === 'html' || type === 'text/html' || el.attrs.mode === 'escaped') return htmlToText(raw);
  return tidy(raw);
}

/** Media RSS (YouTube): `media:title`/`media:description`, directly or inside `media:group`. */
function media(el: XmlElement, name: 'media:title' | 'media:description'): string {
  return text(child(el, name)) || text(child(child(el, 'media:group') ?? el, name));
}

const DATE_FIELDS = [
  'pubdate',
  'dc:date',
  'published',
  'updated',
  'atom:published',
  'atom:updated',
  'issued',
  'modified',
  'created',
  'dc:created',
];

function rssTags(item: XmlElement): string[] {
  const categories = elements(item, 'category')
    .map((c) => plainText(text(c)))
    .filter(Boolean);
  // Pinboard's feeds put the tags in dc:subject, separated by spaces.
  const subjects = elements(item, 'dc:subject').flatMap((s) => plainText(text(s)).split(/\s+/).filter(Boolean));
  return [...categories, ...subjects];
}

function rssItemLink(item: XmlElement, bases: string[]): { link?: string; bases: string[] } {
  const original = firstText(item, 'feedburner:origlink');
  if (original) return { link: original, bases };
  const alternate = alternateLink(item, bases, true);
  if (alternate) return alternate;
  const guid = child(item, 'guid');
  const id = text(guid);
  if (guid && guid.attrs.ispermalink?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(id)) {
    return { link: id, bases };
  }
  const about = item.attrs['rdf:about']?.trim();
  if (about && /^https?:\/\//i.test(about)) return { link: about, bases };
  return { bases };
}

function readRssItem(item: XmlElement, outer: string[]): FeedEntry {
  const bases = withBase(outer, item);
  const link = rssItemLink(item, bases);
  const description = firstText(item, 'description');
  const noteSource =
    description ?? firstText(item, 'content:encoded', 'itunes:summary') ?? media(item, 'media:description');
  return {
    ...link,
    title: plainText(firstText(item, 'title', 'itunes:title') ?? media(item, 'media:title')),
    note: htmlToText(noteSource),
    tags: rssTags(item),
    date: firstText(item, ...DATE_FIELDS),
  };
}

function readAtomEntry(entry: XmlElement, outer: string[]): FeedEntry {
  const bases = withBase(outer, entry);
  let link: { link?: string; bases: string[] } = alternateLink(entry, bases, false) ?? { bases };
  const id = text(child(entry, 'id'));
  if (!link.link && /^https?:\/\//i.test(id)) link = { link: id, bases };
  return {
    ...link,
    title: atomText(child(entry, 'title')) || tidy(media(entry, 'media:title')),
    note:
      atomText(child(entry, 'summary')) || atomText(child(entry, 'content')) || tidy(media(entry, 'media:description')),
    tags: elements(entry, 'category')
      .map((c) => tidy(c.attrs.term ?? c.attrs.label ?? text(c)))
      .filter(Boolean),
    date: firstText(entry, ...DATE_FIELDS),
  };
}

export type XmlFeedResult = { feed: FeedDocument } | { notAFeed: string };

/** Reads each item on its own: one that cannot be read is counted, never fatal. */
function readEach<T>(items: T[], read: (item: T) => FeedEntry) {
  const entries: FeedEntry[] = [];
  const unreadable: Record<string, number> = {};
  for (const item of items) {
    try {
      entries.push(read(item));
    } catch {
      unreadable['unreadable item'] = (unreadable['unreadable item'] ?? 0) + 1;
    }
  }
  return { entries, unreadable };
}

export function readXmlFeed(root: XmlElement): XmlFeedResult {
  const kind = localName(root.name);
  const rootBases = withBase([], root);
  if (kind === 'feed') {
    const home = alternateLink(root, rootBases, false);
    const format = root.attrs.version === '0.3' ? 'Atom 0.3' : 'Atom';
    return {
      feed: { format, home, ...readEach(elements(root, 'entry'), (e) => readAtomEntry(e, rootBases)) },
    };
  }
  if (kind === 'rss' || (kind === 'rdf' && root.name.includes(':'))) {
    const channel = child(root, 'channel');
    const bases = withBase(rootBases, channel);
    // RSS 1.0 and 0.90 put items beside the channel; a broken RSS 2.0 sometimes does too.
    const items: [XmlElement, string[]][] = [
      ...(channel ? elements(channel, 'item') : []).map((i): [XmlElement, string[]] => [i, bases]),
      ...elements(root, 'item').map((i): [XmlElement, string[]] => [i, rootBases]),
    ];
    const version = root.attrs.version?.trim();
    const format =
      kind === 'rdf' ? 'RSS 1.0 (RDF)' : version ? `RSS ${version}` : 'RSS without a version (read as RSS 2.0)';
    const home = channel ? alternateLink(channel, bases, true) : undefined;
    return { feed: { format, home, ...readEach(items, ([i, outer]) => readRssItem(i, outer)) } };
  }
  return { notAFeed: `the document is <${root.name}>, not RSS, RDF or Atom` };
}
