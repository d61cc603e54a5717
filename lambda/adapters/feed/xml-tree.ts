/**
 * XML text → a small element tree, strictly first and leniently when that fails (the most common error in
 * real feeds is an unescaped `&` in a URL); a document cut off before its root closes is read up to the cut,
 * the elements open there marked `truncated`. The XML parser is the one rss-parser ships (xml2js over sax),
 * built with rss-parser's own `xml2js` options hook; rss-parser's feed building is not used, because it
 * throws on odd shapes (issue 12).
 *
 * Names are resolved here and nowhere else: each element and attribute carries its namespace URI (in the
 * canonical spelling of ./namespaces) and local name, whatever prefix the document bound, and readers ask
 * for (namespace, local name) with `child`, `elements` and `attr`.
 *
 * Safe in all modes: sax never reads a DTD's entity declarations, so an entity bomb or an external
 * entity stays an unexpanded `&name;` (strict mode refuses it outright) and nothing is ever fetched
 * (tests/integration/bounded-reads.test.ts, tests/unit/adapters/feed/xml-tree.test.ts).
 */
import RssParser from 'rss-parser';
import { canonicalNamespace, NS, undeclaredPrefix } from './namespaces';

export interface XmlElement {
  /** The element's namespace URI in its canonical spelling (./namespaces); '' for none. */
  ns: string;
  /** The name without its prefix, lower-cased (`entry`, `origlink`). */
  local: string;
  /** The name as written, lower-cased (`a:entry`): for messages only; elements are read by `ns` and `local`. */
  name: string;
  /**
   * Attributes without a prefix by their lower-cased name (`href`); namespaced ones as `{namespace}local`
   * (`{http://www.w3.org/XML/1998/namespace}base`); namespace declarations left out. Read them with `attr`.
   */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Still open where the document was cut off: its end, and perhaps part of its content, are missing. */
  truncated?: true;
}
export type XmlNode = XmlElement | string;

export type XmlParse = { root: XmlElement } | { root?: undefined; error: string };

/** The parts of xml2js's output read here (`explicitChildren` + `preserveChildrenOrder` + `charsAsChildren`). */
interface RawNode {
  '#name'?: unknown;
  $?: unknown;
  $$?: unknown;
  _?: unknown;
}

interface Xml2js {
  parseString(text: string, callback: (error: unknown, result: unknown) => void): void;
}

const lower = (name: string) => name.toLowerCase();

function xml2jsParser(strict: boolean): Xml2js {
  const parser = new RssParser({
    xml2js: {
      strict,
      // Children in document order, text among them: an xhtml title keeps "Example <b>Atom</b>" in order.
      explicitChildren: true,
      preserveChildrenOrder: true,
      charsAsChildren: true,
      includeWhiteChars: true,
      tagNameProcessors: [lower],
      attrNameProcessors: [lower],
      async: false,
    },
  });
  // rss-parser 3.13 builds its xml2js parser from `options.xml2js` and keeps it here (lib/parser.js).
  return (parser as unknown as { xmlParser: Xml2js }).xmlParser;
}

/** sax's "Invalid character entity\nLine: 0\nColumn: 181\nChar: ;" as one line, counting lines from 1. */
export function oneLineXmlError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const [what = 'unreadable XML', ...rest] = text.split('\n');
  const line = /Line: (\d+)/.exec(rest.join(' '))?.[1];
  const column = /Column: (\d+)/.exec(rest.join(' '))?.[1];
  return line !== undefined ? `${what} at line ${Number(line) + 1}, column ${column}` : what;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Prefix ('' for the default namespace) → namespace URI, as declared in scope. */
type Scope = ReadonlyMap<string, string>;

/** The scope inside an element: its parent's with the element's own `xmlns` / `xmlns:p` declarations. */
function scopeOf(attrs: Record<string, string>, parent: Scope): Scope {
  let scope: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(attrs)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    scope ??= new Map(parent);
    scope.set(name === 'xmlns' ? '' : name.slice(6), value.trim() ? canonicalNamespace(value) : NS.none);
  }
  return scope ?? parent;
}

/** A name as written → namespace and local name. Attributes without a prefix are in no namespace. */
function resolveName(written: string, scope: Scope, attribute: boolean): { ns: string; local: string } {
  const colon = written.indexOf(':');
  if (colon <= 0) return { ns: attribute ? NS.none : (scope.get('') ?? NS.none), local: written };
  const prefix = written.slice(0, colon);
  const local = written.slice(colon + 1);
  if (prefix === 'xml') return { ns: NS.xml, local };
  return { ns: scope.get(prefix) ?? undeclaredPrefix(prefix), local };
}

/** An element's attribute by namespace ('' for none) and lower-cased local name. */
export const attr = (el: XmlElement, local: string, ns: string = NS.none): string | undefined =>
  el.attrs[ns ? `{${ns}}${local}` : local];

/**
 * Copies xml2js's nodes into `XmlElement`s, each name resolved in the namespaces declared around it, the one
 * place names are read. Without recursion: a deeply nested document cannot exhaust the stack.
 */
function toTree(raw: RawNode): XmlElement {
  const convert = (node: RawNode, parent: Scope): [XmlElement, Scope] => {
    const written: Record<string, string> = {};
    if (isRecord(node.$)) {
      for (const [k, v] of Object.entries(node.$)) if (typeof v === 'string') written[k] = v;
    }
    const scope = scopeOf(written, parent);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(written)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      const { ns, local } = resolveName(k, scope, true);
      attrs[ns ? `{${ns}}${local}` : local] = v;
    }
    const name = String(node['#name'] ?? '');
    return [{ ...resolveName(name, scope, false), name, attrs, children: [] }, scope];
  };
  const [root, rootScope] = convert(raw, new Map());
  const stack: [RawNode, XmlElement, Scope][] = [[raw, root, rootScope]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, element, scope] = next;
    if (!Array.isArray(node.$$)) {
      // An element with text only and no child elements.
      if (typeof node._ === 'string') element.children.push(node._);
      continue;
    }
    for (const child of node.$$ as unknown[]) {
      if (!isRecord(child)) continue;
      const c = child as RawNode;
      if (c['#name'] === '__text__' && !Array.isArray(c.$$)) {
        if (typeof c._ === 'string') element.children.push(c._);
        continue;
      }
      const [el, inner] = convert(c, scope);
      element.children.push(el);
      stack.push([c, el, inner]);
    }
  }
  return root;
}

function parseWith(text: string, strict: boolean): XmlParse {
  let outcome: XmlParse | undefined;
  try {
    // Synchronous with `async: false`; the callback may be called twice on some errors: the first one counts.
    xml2jsParser(strict).parseString(text, (error, result) => {
      if (outcome) return;
      if (error) outcome = { error: oneLineXmlError(error) };
      else if (!isRecord(result)) outcome = { error: 'no XML element found' };
      else {
        const top = Object.values(result)[0];
        outcome = isRecord(top) ? { root: toTree(top as RawNode) } : { error: 'no XML element found' };
      }
    });
  } catch (error) {
    outcome ??= { error: oneLineXmlError(error) };
  }
  return outcome ?? { error: 'the XML parser did not finish' };
}

export interface ParsedXml {
  root: XmlElement;
  /** Set when the strict parse failed and the lenient one was used: the strict parser's message. */
  notWellFormed?: string;
  /**
   * Set when the document ends before its root closes (the elements open at the cut are marked `truncated`):
   * the strict parser's message on the document as it came.
   */
  truncated?: string;
}

/** Markup that ends with a fixed string: comments, CDATA sections, processing instructions. */
const ENDS: [string, string][] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/** Where a tag that starts at `at` ends (its `>`, quotes respected), or -1 when the text ends first. */
function tagEnd(text: string, at: number): number {
  let quote: string | undefined;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/**
 * A cut-off document read up to its last whole piece of markup: where that ends, and the elements open there
 * (names as written, outermost first). One pass: each piece is looked for from where the last one ended.
 */
export function openAtCut(text: string): { whole: number; open: string[] } {
  const open: string[] = [];
  let whole = 0;
  for (let at = text.indexOf('<'); ; at = text.indexOf('<', at + 1)) {
    if (at < 0) {
      // Text runs to the end: whole, but for an entity cut in half.
      const amp = text.lastIndexOf('&');
      return { whole: amp >= whole && !text.includes(';', amp) ? amp : text.length, open };
    }
    whole = at;
    const fixed = ENDS.find(([start]) => text.startsWith(start, at));
    let end: number;
    if (fixed) {
      const close = text.indexOf(fixed[1], at + fixed[0].length);
      end = close < 0 ? -1 : close + fixed[1].length - 1;
    } else if (text[at + 1] === '!') {
      // A DOCTYPE, perhaps with an internal subset in brackets.
      const gt = text.indexOf('>', at);
      const bracket = gt < 0 ? -1 : text.slice(at, gt).indexOf('[');
      const closeBracket = bracket < 0 ? -1 : text.indexOf(']', at + bracket);
      end = bracket < 0 ? gt : closeBracket < 0 ? -1 : text.indexOf('>', closeBracket);
    } else if (/[\p{L}_:/]/u.test(text[at + 1] ?? '')) {
      end = tagEnd(text, at);
      if (end >= 0) {
        const closing = text[at + 1] === '/';
        const name = /^[^\s/>]+/.exec(text.slice(at + (closing ? 2 : 1), end))?.[0] ?? '';
        if (closing) {
          const lower = name.toLowerCase();
          const i = open.findLastIndex((n) => n.toLowerCase() === lower);
          if (i >= 0) open.length = i;
        } else if (text[end - 1] !== '/' && name) open.push(name);
      }
    } else continue; // A `<` that starts no markup: text, as the lenient parser reads it.
    if (end < 0) return { whole, open };
    at = end;
    whole = end + 1;
  }
}

/**
 * A document cut off before its root closed, closed where its markup last ended whole; the elements that
 * were open there are marked `truncated` (the chain of last children from the root). Undefined when no
 * element was open (nothing to recover) or the closed document parses in neither mode.
 */
function recoverCut(text: string): { root: XmlElement; notWellFormed?: string } | undefined {
  const { whole, open } = openAtCut(text);
  if (open.length === 0) return undefined;
  const closed =
    text.slice(0, whole) +
    open
      .map((n) => `</${n}>`)
      .reverse()
      .join('');
  const strict = parseWith(closed, true);
  const parsed = strict.root ? strict : parseWith(closed, false);
  if (!parsed.root) return undefined;
  let el: XmlElement | undefined = parsed.root;
  for (let depth = 0; el && depth < open.length; depth++) {
    el.truncated = true;
    el = el.children.findLast((c): c is XmlElement => typeof c !== 'string');
  }
  return { root: parsed.root, ...(strict.root ? {} : { notWellFormed: strict.error }) };
}

/**
 * Strict first; when that fails, lenient; when neither finds a root, the document may be cut off: it is read
 * up to the cut. Returns the strict error when none of these finds an element.
 */
export function parseXmlTree(text: string): ParsedXml | { error: string } {
  const strict = parseWith(text, true);
  if (strict.root) return { root: strict.root };
  const lenient = parseWith(text, false);
  if (lenient.root) return { root: lenient.root, notWellFormed: strict.error };
  const cut = recoverCut(text);
  if (cut) return { ...cut, truncated: strict.error };
  return { error: strict.error };
}

/** A namespace (or the namespaces that mean one thing: Atom 1.0 and 0.3) and a lower-cased local name. */
export interface XmlName {
  ns: readonly string[];
  local: string;
}

export const xmlName = (ns: string | readonly string[], local: string): XmlName => ({
  ns: typeof ns === 'string' ? [ns] : ns,
  local,
});

export const isNamed = (el: XmlElement, name: XmlName): boolean => el.local === name.local && name.ns.includes(el.ns);

/** An element's children that are elements, optionally only those of one name. */
export const elements = (el: XmlElement, name?: XmlName): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || isNamed(c, name)));

/** The first child element of the first of these names that the element has. */
export const child = (el: XmlElement, ...names: XmlName[]): XmlElement | undefined => {
  for (const name of names) {
    const found = el.children.find((c): c is XmlElement => typeof c !== 'string' && isNamed(c, name));
    if (found) return found;
  }
  return undefined;
};

/** All text inside an element, in document order, without recursion. */
export function textContent(el: XmlElement): string {
  const parts: string[] = [];
  const stack: XmlNode[] = [el];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node === 'string') parts.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as XmlNode);
  }
  return parts.join('');
}
