/**
 * XML → tree: strict first, lenient when that fails, up to the cut when the document was cut off; names by
 * namespace; never an expanded entity, never a blown stack.
 */
import { NS } from '../../../../lambda/adapters/feed/namespaces';
import {
  attr,
  elements,
  openAtCut,
  parseXmlTree,
  textContent,
  type XmlElement,
} from '../../../../lambda/adapters/feed/xml-tree';

const rootOf = (xml: string): XmlElement => {
  const parsed = parseXmlTree(xml);
  if (!('root' in parsed)) throw new Error(parsed.error);
  return parsed.root;
};

describe('parseXmlTree', () => {
  it('keeps mixed content in document order, names and attributes lower-cased', () => {
    const root = rootOf('<Feed XML:Base="/x/"><Title type="xhtml"><div>Example <b>Atom</b> entry</div></Title></Feed>');
    expect(root).toMatchObject({ name: 'feed', ns: '', local: 'feed' });
    expect(root.attrs).toEqual({ [`{${NS.xml}}base`]: '/x/' });
    expect(attr(root, 'base', NS.xml)).toBe('/x/');
    expect(textContent(root)).toBe('Example Atom entry');
  });

  it('reads CDATA as text and decodes the predefined and HTML entities', () => {
    const root = rootOf('<r><a><![CDATA[<b>raw</b> & more]]></a><b>&amp;&lt;&#8212;&nbsp;&hellip;</b></r>');
    expect(root.children.map((c) => (typeof c === 'string' ? c : textContent(c)))).toEqual([
      '<b>raw</b> & more',
      '&<—\u00a0…',
    ]);
  });

  it('parses strictly when it can: no warning', () => {
    expect(parseXmlTree('<rss><channel/></rss>')).not.toHaveProperty('notWellFormed');
  });

  it('falls back to the lenient parser on an unescaped &, with the strict message on one line', () => {
    const parsed = parseXmlTree('<rss>\n<link>https://x.example/?a=1&b=2</link></rss>');
    expect(parsed).toMatchObject({ notWellFormed: 'Invalid character in entity name at line 2, column 31' });
    if (!('root' in parsed)) throw new Error('expected a tree');
    expect(textContent(parsed.root)).toBe('\nhttps://x.example/?a=1&b=2');
  });

  it('never expands a DTD entity or reads an external one, in either mode', () => {
    const bomb = `<!DOCTYPE r [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
      <!ENTITY x SYSTEM "file:///etc/passwd">]><r>&b;&x;</r>`;
    const parsed = parseXmlTree(bomb);
    expect(parsed).toMatchObject({ notWellFormed: expect.stringMatching(/^Invalid character entity at line 2/) });
    if (!('root' in parsed)) throw new Error('expected a tree');
    expect(textContent(parsed.root)).toBe('&b;&x;');
  });

  it('handles a document nested 20,000 deep (far past the call stack) without exhausting the stack', () => {
    const depth = 20_000;
    const root = rootOf(`${'<a>'.repeat(depth)}deep${'</a>'.repeat(depth)}`);
    expect(textContent(root)).toBe('deep');
  });

  it.each([
    ['', 'no XML element found'],
    ['just text', 'Non-whitespace before first tag. at line 1, column 1'],
  ])('returns the strict error when neither mode finds an element: %p', (xml, error) => {
    expect(parseXmlTree(xml)).toEqual({ error });
  });

  it('reads a document cut off before its root closes up to the cut, marking the elements open there', () => {
    const parsed = parseXmlTree('<rss><channel><item><title>whole</title></item><item><title>cut');
    expect(parsed).toMatchObject({ truncated: 'Unclosed root tag at line 1, column 63' });
    if (!('root' in parsed)) throw new Error('expected a tree');
    const channel = elements(parsed.root)[0] as XmlElement;
    const [whole, cut] = elements(channel);
    expect([parsed.root.truncated, channel.truncated, whole?.truncated, cut?.truncated]).toEqual([
      true,
      true,
      undefined,
      true,
    ]);
    expect(textContent(parsed.root)).toBe('wholecut');
  });

  it('still fails when nothing was open at the cut', () => {
    expect(parseXmlTree('<rss')).toEqual({ error: 'Unexpected end at line 1, column 4' });
  });
});

describe('names by namespace', () => {
  const names = (el: XmlElement): string[] => [`${el.ns} ${el.local}`, ...elements(el).flatMap((c) => names(c))];

  it('resolves prefixes and default namespaces where they are declared, not by the prefix written', () => {
    const root = rootOf(`<a:Feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:x="http://purl.org/dc/elements/1.1/">
      <a:entry><x:title>t</x:title><dc:title xmlns:dc="urn:not-dc">u</dc:title>
        <link xmlns="http://www.w3.org/2005/Atom" href="/h"/><link href="/none"/></a:entry></a:Feed>`);
    expect(names(root)).toEqual([
      `${NS.atom} feed`,
      `${NS.atom} entry`,
      `${NS.dc} title`,
      'urn:not-dc title',
      `${NS.atom} link`,
      ' link',
    ]);
  });

  it('meets the spellings of one namespace, reads RSS 2.0 URIs as none, well-known undeclared prefixes as usual', () => {
    const root = rootOf(`<rss xmlns="http://backend.userland.com/rss2" xmlns:A="HTTPS://www.w3.org/2005/Atom/">
      <a:link/><dc:date/><feedburner:origLink/><odd:thing/><item rdf:about="https://x.example/" odd:y="1"/></rss>`);
    expect(names(root)).toEqual([
      ' rss',
      `${NS.atom} link`,
      `${NS.dc} date`,
      `${NS.feedburner} origlink`,
      'urn:x-undeclared-prefix:odd thing',
      ' item',
    ]);
    const item = elements(root).at(-1) as XmlElement;
    expect(attr(item, 'about', NS.rdf)).toBe('https://x.example/');
    expect(item.attrs).toEqual({ [`{${NS.rdf}}about`]: 'https://x.example/', '{urn:x-undeclared-prefix:odd}y': '1' });
  });
});

describe('openAtCut', () => {
  it.each([
    ['<rss><channel><item><title>cu', ['rss', 'channel', 'item', 'title'], 29],
    ['<rss><channel><item><link href="https://x.example/?a>b', ['rss', 'channel', 'item'], 20],
    ['<rss><channel><item></item><item', ['rss', 'channel'], 27],
    ['<rss><channel><item><title>Tom &am', ['rss', 'channel', 'item', 'title'], 31],
    ['<rss><x/><channel><!-- a <b> -->', ['rss', 'channel'], 32],
    ['<rss><channel><![CDATA[ <item> ', ['rss', 'channel'], 14],
    ['<!DOCTYPE rss [<!ENTITY e "<x>">]><?xml-stylesheet href="s"?><RSS><channel></Channel>', ['RSS'], 85],
    ['<rss><channel>1 < 2 and </item> closes nothing open', ['rss', 'channel'], 51],
  ])('%p: open %p, whole up to %p', (text, open, whole) => {
    expect(openAtCut(text)).toEqual({ open, whole });
  });
});
