/**
 * The namespaces feeds are read in. Elements are matched by namespace and local name, never by prefix:
 * `<a:entry xmlns:a="http://www.w3.org/2005/Atom">` is an Atom entry, `<dc:title>` with `dc` bound elsewhere
 * is no Dublin Core title. A namespace is compared in one canonical spelling (case, `https:`, a final `/`
 * or `#` aside), and the two URIs some RSS 2.0 feeds declare for RSS 2.0 (which has none) count as none.
 */

export const NS = {
  none: '',
  xml: 'http://www.w3.org/XML/1998/namespace',
  atom: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  feedburner: 'http://rssnamespace.org/feedburner/ext/1.0',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  media: 'http://search.yahoo.com/mrss/',
} as const;

/** How a namespace URI is compared: the spellings feeds use for one namespace meet here. */
const key = (uri: string) =>
  uri
    .trim()
    .toLowerCase()
    .replace(/^https:/, 'http:')
    .replace(/[/#]+$/, '');

const CANONICAL = new Map<string, string>([
  ...Object.values(NS).map((uri): [string, string] => [key(uri), uri]),
  [key('http://channel.netscape.com/rdf/simple/0.9/'), NS.rss090],
  [key('http://backend.userland.com/rss2'), NS.none],
  [key('http://blogs.law.harvard.edu/tech/rss'), NS.none],
]);
CANONICAL.delete('');

/** A declared namespace URI in its canonical spelling; an unknown one as written. */
export const canonicalNamespace = (uri: string): string => CANONICAL.get(key(uri)) ?? uri.trim();

/**
 * Prefixes feeds often use without declaring them: read in their usual namespace. Any other undeclared
 * prefix is a namespace of its own that nothing here asks for.
 */
const UNDECLARED: Record<string, string> = {
  xml: NS.xml,
  atom: NS.atom,
  rdf: NS.rdf,
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  feedburner: NS.feedburner,
  itunes: NS.itunes,
  media: NS.media,
};

export const undeclaredPrefix = (prefix: string): string =>
  Object.hasOwn(UNDECLARED, prefix) ? (UNDECLARED[prefix] as string) : `urn:x-undeclared-prefix:${prefix}`;
