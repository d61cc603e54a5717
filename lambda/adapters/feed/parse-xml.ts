/**
 * RSS 0.9x/2.0 (with or without a version), RSS 1.0 (RDF) and Atom (1.0 and 0.3) trees → `FeedDocument`.
 * Elements are asked for by namespace and local name (./namespaces), never by prefix: `<a:entry>` in Atom's
 * namespace is an entry, `dc:title` under any prefix bound to Dublin Core is a title. Every field is read as
 * text whatever its shape: an xhtml title is its text content, an RSS link written Atom-style
 * (`<link href>`) is a link, an Atom entry's link is `rel="alternate"` or has no rel (never enclosure,
 * related or self), and FeedBurner's `origLink` comes before either. Links are kept as written, with the
 * `xml:base` values in scope. An item the document was cut off in is left out.
 */
import type { FeedDocument, FeedEntry } from './entries';
import { NS } from './namespaces';
import { htmlToText, plainText, tidy } from './text';
import { attr, child, elements, isNamed, xmlName as n, textContent, type XmlElement, type XmlName } from './xml-tree';

/** Atom's elements: in Atom 1.0's namespace or 0.3's. */
const ATOM: readonly string[] = [NS.atom, NS.atom03];
/** An Atom document's own elements: a hand-written `<feed>` in no namespace has its elements in none too. */
const atomNames = (root: XmlElement): readonly string[] => (root.ns === NS.none ? [NS.none, ...ATOM] : ATOM);
/** RSS 2.0 and 0.9x have no namespace; RSS 1.0 and 0.90 (RDF) have their own. */
const RSS: readonly string[] = [NS.none, NS.rss10, NS.rss090];
const DC: readonly string[] = [NS.dc, NS.dcterms];

const withBase = (bases: string[], el: XmlElement | undefined): string[] => {
  const base = el ? attr(el, 'base', NS.xml)?.trim() : undefined;
  return base ? [...bases, base] : bases;
};

const text = (el: XmlElement | undefined) => (el ? textContent(el).trim() : '');

/** The first non-empty text among these children, in the order named. */
function firstText(el: XmlElement, ...names: XmlName[]): string | undefined {
  for (const name of names) {
    for (const c of elements(el, name)) {
      const value = text(c);
      if (value) return value;
    }
  }
  return undefined;
}

const ALTERNATE = new Set(['alternate', 'http://www.iana.org/assignments/relation/alternate']);

/**
 * An alternate link among `<link>` children in the format's own namespaces (`own`) or Atom's: `href` with
 * rel alternate or none (an HTML type preferred), or, for RSS, an own link's text. Returns it with the
 * bases in scope at that element.
 */
function alternateLink(
  el: XmlElement,
  bases: string[],
  own: readonly string[],
  textLinks: boolean,
): { link: string; bases: string[] } | undefined {
  let fallback: { link: string; bases: string[] } | undefined;
  const links = elements(el).filter((c) => c.local === 'link' && (own.includes(c.ns) || ATOM.includes(c.ns)));
  for (const link of links) {
    const ownText = textLinks && own.includes(link.ns) ? text(link) : '';
    if (ownText) return { link: ownText, bases: withBase(bases, link) };
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
    for (const link of elements(el, n(own, 'link'))) {
      const ownText = text(link);
      if (ownText && !link.attrs.rel) return { link: ownText, bases: withBase(bases, link) };
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
function media(el: XmlElement, local: 'title' | 'description'): string {
  const name = n(NS.media, local);
  return text(child(el, name)) || text(child(child(el, n(NS.media, 'group')) ?? el, name));
}

const DATE_FIELDS = new WeakMap<readonly string[], XmlName[]>();

/** Where items keep their dates, in the order read: the format's own fields, then Dublin Core's and Atom's. */
function dateFields(own: readonly string[]): XmlName[] {
  const known = DATE_FIELDS.get(own);
  if (known) return known;
  const atom = [...own, NS.atom, NS.atom03];
  const fields = [
    n(own, 'pubdate'),
    n(DC, 'date'),
    n(atom, 'published'),
    n(atom, 'updated'),
    n(atom, 'issued'),
    n(atom, 'modified'),
    n(atom, 'created'),
    n(DC, 'created'),
    n(DC, 'issued'),
    n(DC, 'modified'),
  ];
  DATE_FIELDS.set(own, fields);
  return fields;
}

/**
 * FeedBurner's `origLink`, in RSS and Atom alike: the item's own URL where its link goes through FeedBurner's
 * redirector. Only an absolute http(s) URL is taken over the link.
 */
function originalLink(item: XmlElement): string | undefined {
  const original = firstText(item, n(NS.feedburner, 'origlink'));
  return original && /^https?:\/\//i.test(original) ? original : undefined;
}

function rssTags(item: XmlElement, own: readonly string[]): string[] {
  const categories = elements(item, n(own, 'category'))
    .map((c) => plainText(text(c)))
    .filter(Boolean);
  // Pinboard's feeds put the tags in dc:subject, separated by spaces.
  const subjects = elements(item, n(DC, 'subject')).flatMap((s) => plainText(text(s)).split(/\s+/).filter(Boolean));
  return [...categories, ...subjects];
}

function rssItemLink(item: XmlElement, bases: string[], own: readonly string[]): { link?: string; bases: string[] } {
  const original = originalLink(item);
  if (original) return { link: original, bases };
  const alternate = alternateLink(item, bases, own, true);
  if (alternate) return alternate;
  const guid = child(item, n(own, 'guid'));
  const id = text(guid);
  if (guid && guid.attrs.ispermalink?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(id)) {
    return { link: id, bases };
  }
  const about = attr(item, 'about', NS.rdf)?.trim();
  if (about && /^https?:\/\//i.test(about)) return { link: about, bases };
  return { bases };
}

function readRssItem(item: XmlElement, outer: string[], own: readonly string[]): FeedEntry {
  const bases = withBase(outer, item);
  const link = rssItemLink(item, bases, own);
  const description = firstText(item, n(own, 'description'));
  const noteSource =
    description ?? firstText(item, n(NS.content, 'encoded'), n(NS.itunes, 'summary')) ?? media(item, 'description');
  return {
    ...link,
    title: plainText(firstText(item, n(own, 'title'), n(DC, 'title'), n(NS.itunes, 'title')) ?? media(item, 'title')),
    note: htmlToText(noteSource),
    tags: rssTags(item, own),
    date: firstText(item, ...dateFields(own)),
  };
}

function readAtomEntry(entry: XmlElement, outer: string[], own: readonly string[]): FeedEntry {
  const bases = withBase(outer, entry);
  const original = originalLink(entry);
  let link: { link?: string; bases: string[] } = original
    ? { link: original, bases }
    : (alternateLink(entry, bases, own, false) ?? { bases });
  const id = text(child(entry, n(own, 'id')));
  if (!link.link && /^https?:\/\//i.test(id)) link = { link: id, bases };
  return {
    ...link,
    title:
      atomText(child(entry, n(own, 'title'))) ||
      plainText(firstText(entry, n(DC, 'title')) ?? '') ||
      tidy(media(entry, 'title')),
    note:
      atomText(child(entry, n(own, 'summary'))) ||
      atomText(child(entry, n(own, 'content'))) ||
      tidy(media(entry, 'description')),
    tags: elements(entry, n(own, 'category'))
      .map((c) => tidy(c.attrs.term ?? c.attrs.label ?? text(c)))
      .filter(Boolean),
    date: firstText(entry, ...dateFields(own)),
  };
}

export type XmlFeedResult = { feed: FeedDocument } | { notAFeed: string };

/**
 * Reads each item on its own: one that cannot be read is counted, never fatal. An item the document was
 * cut off in is left out (what it holds may be only its start: a link cut in half is another link).
 */
function readEach(items: [XmlElement, string[]][], read: (item: XmlElement, outer: string[]) => FeedEntry) {
  const entries: FeedEntry[] = [];
  const unreadable: Record<string, number> = {};
  let cut = 0;
  for (const [item, outer] of items) {
    if (item.truncated) {
      cut++;
      continue;
    }
    try {
      entries.push(read(item, outer));
    } catch {
      unreadable['unreadable item'] = (unreadable['unreadable item'] ?? 0) + 1;
    }
  }
  return { entries, unreadable, cut };
}

function document(
  root: XmlElement,
  format: string,
  home: FeedDocument['home'],
  read: ReturnType<typeof readEach>,
): FeedDocument {
  const { entries, unreadable, cut } = read;
  return { format, home, entries, unreadable, ...(root.truncated ? { truncated: { cutItems: cut } } : {}) };
}

export function readXmlFeed(root: XmlElement): XmlFeedResult {
  const rootBases = withBase([], root);
  if (isNamed(root, n([NS.none, ...ATOM], 'feed'))) {
    const own = atomNames(root);
    const home = alternateLink(root, rootBases, own, false);
    const format = root.attrs.version === '0.3' || root.ns === NS.atom03 ? 'Atom 0.3' : 'Atom';
    const entries = elements(root, n(own, 'entry')).map((e): [XmlElement, string[]] => [e, rootBases]);
    const read = readEach(entries, (e, outer) => readAtomEntry(e, outer, own));
    return { feed: document(root, format, home, read) };
  }
  const rdf = isNamed(root, n(NS.rdf, 'rdf'));
  if (rdf || root.local === 'rss') {
    // An <rss> in a namespace of its own is still RSS: its elements are read in that namespace too.
    const own = rdf ? RSS : [...RSS, root.ns];
    const channel = child(root, n(own, 'channel'));
    const bases = withBase(rootBases, channel);
    // RSS 1.0 and 0.90 put items beside the channel; a broken RSS 2.0 sometimes does too.
    const items: [XmlElement, string[]][] = [
      ...(channel ? elements(channel, n(own, 'item')) : []).map((i): [XmlElement, string[]] => [i, bases]),
      ...elements(root, n(own, 'item')).map((i): [XmlElement, string[]] => [i, rootBases]),
    ];
    const version = root.attrs.version?.trim();
    const format = rdf ? 'RSS 1.0 (RDF)' : version ? `RSS ${version}` : 'RSS without a version (read as RSS 2.0)';
    const home = channel ? alternateLink(channel, bases, own, true) : undefined;
    const read = readEach(items, (i, outer) => readRssItem(i, outer, own));
    return { feed: document(root, format, home, read) };
  }
  const where = root.ns ? ` in the namespace ${root.ns}` : '';
  return { notAFeed: `the document is <${root.name}>${where}, not RSS, RDF or Atom` };
}
