/** XML → tree: strict first, lenient when that fails; never an expanded entity, never a blown stack. */
import { parseXmlTree, textContent, type XmlElement } from '../../../../lambda/adapters/feed/xml-tree';

const rootOf = (xml: string): XmlElement => {
  const parsed = parseXmlTree(xml);
  if (!('root' in parsed)) throw new Error(parsed.error);
  return parsed.root;
};

describe('parseXmlTree', () => {
  it('keeps mixed content in document order, names and attributes lower-cased', () => {
    const root = rootOf('<Feed XML:Base="/x/"><Title type="xhtml"><div>Example <b>Atom</b> entry</div></Title></Feed>');
    expect(root.name).toBe('feed');
    expect(root.attrs).toEqual({ 'xml:base': '/x/' });
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

  it('gives up on a truncated document: its end is missing, not merely flawed', () => {
    expect(parseXmlTree('<rss><channel><item><title>cut')).toEqual({ error: 'Unclosed root tag at line 1, column 30' });
  });
});
