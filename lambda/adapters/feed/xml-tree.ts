/**
 * XML text → a small element tree, strictly first and leniently when that fails (the most common error in
 * real feeds is an unescaped `&` in a URL). The XML parser is the one rss-parser ships (xml2js over sax),
 * built with rss-parser's own `xml2js` options hook; rss-parser's feed building is not used, because it
 * throws on odd shapes (issue 12).
 *
 * Safe in both modes: sax never reads a DTD's entity declarations, so an entity bomb or an external
 * entity stays an unexpanded `&name;` (strict mode refuses it outright) and nothing is ever fetched
 * (tests/integration/bounded-reads.test.ts, tests/unit/adapters/feed/xml-tree.test.ts).
 */
import RssParser from 'rss-parser';

export interface XmlElement {
  /** Lower-cased, with its prefix as written (`dc:date`, `content:encoded`). */
  name: string;
  /** Names lower-cased (`xml:base`, `rel`, `href`). */
  attrs: Record<string, string>;
  children: XmlNode[];
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

/** Copies xml2js's nodes into `XmlElement`s without recursion: a deeply nested document cannot exhaust the stack. */
function toTree(raw: RawNode): XmlElement {
  const convert = (node: RawNode): XmlElement => {
    const attrs: Record<string, string> = {};
    if (isRecord(node.$)) {
      for (const [k, v] of Object.entries(node.$)) if (typeof v === 'string') attrs[k] = v;
    }
    return { name: String(node['#name'] ?? ''), attrs, children: [] };
  };
  const root = convert(raw);
  const stack: [RawNode, XmlElement][] = [[raw, root]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, element] = next;
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
      const el = convert(c);
      element.children.push(el);
      stack.push([c, el]);
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
}

/** Strict first; when that fails, lenient. Returns the strict error when neither finds an element. */
export function parseXmlTree(text: string): ParsedXml | { error: string } {
  const strict = parseWith(text, true);
  if (strict.root) return { root: strict.root };
  const lenient = parseWith(text, false);
  if (lenient.root) return { root: lenient.root, notWellFormed: strict.error };
  return { error: strict.error };
}

/** An element's children that are elements, optionally only those named `name`. */
export const elements = (el: XmlElement, name?: string): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));

export const child = (el: XmlElement, ...names: string[]): XmlElement | undefined => {
  for (const name of names) {
    const found = el.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
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

/** The name without its prefix: `rdf:RDF` → `rdf`. */
export const localName = (name: string) => name.slice(name.indexOf(':') + 1);
