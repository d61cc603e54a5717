/**
 * The note of the day's markup (core/note.ts): what is kept of a note, the Markdown subset it may use, that
 * nothing else in it becomes markup (hostile notes included), and its plain text.
 */
import fc from 'fast-check';
import { DigestError } from '../../../lambda/core/errors';
import { MAX_NOTE_CHARS, NoteError, normalizeNote, noteHtml, noteText, parseNote } from '../../../lambda/core/note';
import { isWebUrl } from '../../../lambda/core/url';

const ALLOWED_TAGS = new Set(['p', 'br', 'em', 'strong', 'a']);
const decode = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? e,
  );

/**
 * Why `html` is not markup a note may make: a tag other than p, br, em, strong or a; an `<a>` with anything
 * but one double-quoted http(s) href; a `<`, `>` or `"` that opens no allowed tag; an `&` that starts no entity.
 */
function markupProblems(html: string): string[] {
  const problems: string[] = [];
  const rest = html.replace(/<(\/?)([a-z]+)([^<>]*)>/g, (tag, close: string, name: string, attributes: string) => {
    if (!ALLOWED_TAGS.has(name)) problems.push(`tag ${tag}`);
    else if (name === 'a' && !close) {
      const href = /^ href="([^"<>]*)"$/.exec(attributes);
      if (!href || !isWebUrl(decode(href[1] ?? ''))) problems.push(`link ${tag}`);
    } else if (attributes !== '') problems.push(`attributes ${tag}`);
    return '';
  });
  if (/[<>"]/.test(rest)) problems.push(`raw ${rest.match(/.{0,20}[<>"].{0,20}/)?.[0]}`);
  if (/&(?!(amp|lt|gt|quot|#39);)/.test(rest)) problems.push('a bare &');
  return problems;
}

describe('the markup check these tests use', () => {
  it('finds each thing it looks for', () => {
    expect(markupProblems('<p><em>a</em><br><a href="https://example.org/">b</a> &amp; &#39;</p>')).toEqual([]);
    for (const bad of [
      '<p><img src=x></p>',
      '<p onclick="x">a</p>',
      '<a href="javascript:alert(1)">a</a>',
      '<a href="https://example.org/" onmouseover="x">a</a>',
      '<p>a " b</p>',
      '<p>a > b</p>',
      '<p>&copy;</p>',
    ]) {
      expect({ bad, problems: markupProblems(bad).length }).toEqual({ bad, problems: 1 });
    }
  });
});

describe('normalizeNote', () => {
  it('keeps LF line breaks only, trims, drops trailing spaces and collapses runs of blank lines', () => {
    expect(normalizeNote('  \r\nFirst\r\nsecond  \rthird\u2028fourth\n\n\n\n\nnext\u2029last \t\n')).toBe(
      'First\nsecond\nthird\nfourth\n\nnext\n\nlast',
    );
  });

  it('drops what cannot be seen, as email addresses refuse it, and keeps the newlines and the emoji', () => {
    const hidden = 'a\u200Bb\u202Ec\u202Cd\u2066e\u2069\uFEFFf\u0000g\u0007h\u00ADi\u034Fj\uE000k\u{E0041}l';
    expect(normalizeNote(hidden)).toBe('abcdefghijkl');
    expect(normalizeNote('tab\there\u000Bvt\u000Cff')).toBe('tab here vt ff');
    // A zero-width joiner inside an emoji, a variation selector after a pictograph or a keycap's digit stay.
    expect(normalizeNote('I ❤️ 👩🏽‍💻 and 1️⃣')).toBe('I ❤️ 👩🏽‍💻 and 1️⃣');
    expect(normalizeNote('x\u200Dy a\uFE0F')).toBe('xy a');
  });

  it('composes to NFC, so one note is one spelling', () => {
    expect(normalizeNote('Rene\u0301e')).toBe('Ren\u00E9e');
  });

  it('refuses an empty note, and says when it only looked like one', () => {
    expect(() => normalizeNote('')).toThrow(new NoteError('the note is empty'));
    expect(() => normalizeNote(' \n\u200B\t\r\n ')).toThrow(
      'the note is empty: it holds nothing but spaces or invisible characters',
    );
    const error = (() => {
      try {
        normalizeNote('');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DigestError);
    expect(error).toMatchObject({ name: 'NoteError' });
  });

  it(`counts up to ${MAX_NOTE_CHARS} characters of what is kept, code points not UTF-16 units`, () => {
    expect(MAX_NOTE_CHARS).toBe(2000);
    expect(normalizeNote('x'.repeat(2000))).toHaveLength(2000);
    expect(() => normalizeNote('x'.repeat(2001))).toThrow(
      new NoteError('the note is 2,001 characters long; it may be at most 2,000'),
    );
    expect([...normalizeNote('🙂'.repeat(2000))]).toHaveLength(2000); // 4,000 UTF-16 units
    expect(normalizeNote(`  ${'x\u200B'.repeat(2000)}  \n\n\n`)).toBe('x'.repeat(2000));
  });

  it('is what it keeps: normalizing again changes nothing, and renders the same', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (raw) => {
        let note: string;
        try {
          note = normalizeNote(raw);
        } catch (e) {
          expect(e).toBeInstanceOf(NoteError);
          return;
        }
        expect(normalizeNote(note)).toBe(note);
        expect(noteHtml(note)).toBe(noteHtml(raw));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseNote', () => {
  it('splits paragraphs at blank lines, keeps single line breaks and nests emphasis', () => {
    expect(parseNote('Hi *you*\n**all [of](https://example.org/x) _us_**\n \nBye')).toEqual([
      {
        type: 'paragraph',
        runs: [
          { type: 'text', text: 'Hi ' },
          { type: 'em', runs: [{ type: 'text', text: 'you' }] },
          { type: 'break' },
          {
            type: 'strong',
            runs: [
              { type: 'text', text: 'all ' },
              { type: 'link', href: 'https://example.org/x', text: 'of' },
              { type: 'text', text: ' ' },
              { type: 'em', runs: [{ type: 'text', text: 'us' }] },
            ],
          },
        ],
      },
      { type: 'paragraph', runs: [{ type: 'text', text: 'Bye' }] },
    ]);
  });

  it('has no paragraph for a note with nothing in it, and never refuses one (the limit is normalizeNote’s)', () => {
    expect(parseNote('')).toEqual([]);
    expect(parseNote(' \u200B\n\n ')).toEqual([]);
    expect(parseNote('x'.repeat(3000))).toEqual([
      { type: 'paragraph', runs: [{ type: 'text', text: 'x'.repeat(3000) }] },
    ]);
  });
});

describe('noteHtml', () => {
  it.each([
    ['plain text', 'Just words.', '<p>Just words.</p>'],
    ['paragraphs and line breaks', 'One\ntwo\n\nThree', '<p>One<br>two</p>\n<p>Three</p>'],
    ['a line’s own spaces', '  a  \n   b', '<p>a<br>b</p>'],
    ['emphasis, both ways', '*one* and _two_', '<p><em>one</em> and <em>two</em></p>'],
    ['strong', 'a **big** deal', '<p>a <strong>big</strong> deal</p>'],
    [
      'one inside the other',
      '**a *b* c** *d **e** f*',
      '<p><strong>a <em>b</em> c</strong> <em>d <strong>e</strong> f</em></p>',
    ],
    ['emphasis over a line break', '*a\nb*', '<p><em>a<br>b</em></p>'],
    ['underscores inside words', 'snake_case_name and x_1', '<p>snake_case_name and x_1</p>'],
    ['markers with a space inside', '* not * and ** not **', '<p>* not * and ** not **</p>'],
    ['an unpaired marker', '**open and *half', '<p>**open and *half</p>'],
    ['markers CommonMark does not pair', '*a **b* c**', '<p><em>a **b</em> c**</p>'],
    [
      'backslash escapes',
      '2\\*3\\*4 \\_x\\_ \\[a](https://example.org) \\\\',
      '<p>2*3*4 _x_ [a](https://example.org) \\</p>',
    ],
    ['an intraword asterisk pair (as CommonMark)', '2*3*4', '<p>2<em>3</em>4</p>'],
    ['three stars and double underscores', '***both*** __dunder__', '<p>***both*** __dunder__</p>'],
    [
      'a URL in the text, whole',
      'see https://example.org/_drafts_/ or *https://example.org/a*',
      '<p>see https://example.org/_drafts_/ or <em>https://example.org/a</em></p>',
    ],
    [
      'headings, lists, quotes, rules, code',
      '# Title\n- item\n1. first\n> quote\n---\n`code`',
      '<p># Title<br>- item<br>1. first<br>&gt; quote<br>---<br>`code`</p>',
    ],
    ['an image', '![alt](https://example.org/i.png)', '<p>![alt](https://example.org/i.png)</p>'],
    ['HTML and entities', '<b>x</b> &amp; &#60; &copy;', '<p>&lt;b&gt;x&lt;/b&gt; &amp;amp; &amp;#60; &amp;copy;</p>'],
  ])('%s', (_, note, html) => {
    expect(noteHtml(note)).toBe(html);
  });

  it('links to http(s) only, as the URL serializes; every other link stays the text it was', () => {
    expect(noteHtml('[Rust](https://www.rust-lang.org) [old](HTTP://Example.ORG/a?b=1&c=2)')).toBe(
      '<p><a href="https://www.rust-lang.org/">Rust</a> <a href="http://example.org/a?b=1&amp;c=2">old</a></p>',
    );
    expect(noteHtml('[Foo](https://en.wikipedia.org/wiki/Foo_(bar))')).toBe(
      '<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)">Foo</a></p>',
    );
    for (const destination of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'mailto:me@example.org',
      'ftp://files.example.org/x',
      '/relative/path',
      '//example.org/protocol-relative',
      'example.org',
      'https://',
      'vbscript:msgbox(1)',
    ]) {
      const html = noteHtml(`[click](${destination})`);
      expect({ destination, html }).toEqual({
        destination,
        html: `<p>[click](${destination.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')})</p>`,
      });
    }
    // Not a link at all: a space in the destination, nothing in the text, nothing after it.
    expect(
      noteHtml('[a](https://example.org/a b) [](https://example.org) [a] (https://example.org) [a](https://x.org'),
    ).toBe('<p>[a](https://example.org/a b) [](https://example.org) [a] (https://example.org) [a](https://x.org</p>');
  });

  it('shows a note full of hostile markup as text: no element, attribute or link of its own', () => {
    const hostile = [
      '<script>alert(document.cookie)</script>',
      '<img src=x onerror=alert(1)>',
      '"><svg onload=alert(1)>',
      "'><iframe src=javascript:alert(1)>",
      '[click me](javascript:alert(1)) [me too](data:text/html;base64,PHNjcmlwdD4=)',
      '[**bold** link](javascript:alert(1))',
      '[a [nested] link](https://example.org/nested) [[x](https://example.org/inner)](javascript:alert(1))',
      '**unbalanced *strong** and *em',
      '**never closed *either',
      '<a href="javascript:alert(1)">a link in HTML</a> &lt;script&gt; &#x3C;b&#x3E;',
      '{{constructor.constructor "alert(1)"}} {{{html}}} <!-- comment --> <![CDATA[ ]]>',
      '<style>body{display:none}</style> <p style="x">',
    ].join('\n');
    const html = noteHtml(hostile);
    expect(markupProblems(html)).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('[click me](javascript:alert(1))');
    expect(html).toContain('[**bold** link](javascript:alert(1))');
    expect(html).toContain('&amp;lt;script&amp;gt; &amp;#x3C;b&amp;#x3E;');
    // A `**` pairs with the next one that can close it; what is left over stays text.
    expect(html).toContain('<strong>unbalanced *strong</strong> and *em<br>**never closed *either');
    // The only links are the inner one of the nested brackets: the outer ones are text.
    expect([...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1])).toEqual(['https://example.org/inner']);
    expect(html).toContain('[a [nested] link](https://example.org/nested)');
    expect(html).not.toMatch(/<(script|img|svg|iframe|style)|javascript:[^)]*"|\son\w+="/i);
  });

  it('cannot leave the href: quotes, brackets and spaces in a destination are encoded or end the link', () => {
    const html = noteHtml(
      [
        '[x](https://example.org/"onmouseover="alert(1))',
        '[y](https://example.org/?q="><script>alert(1)</script>)',
        "[z](https://example.org/'onfocus='alert(1)'autofocus=')",
        '[w](https://example.org/"\tonclick="alert(1))',
        '[t" onclick="alert(1)](https://example.org/)',
      ].join('\n'),
    );
    expect(markupProblems(html)).toEqual([]);
    expect(html).toContain('<a href="https://example.org/%22onmouseover=%22alert(1)">x</a>');
    expect(html).toContain('<a href="https://example.org/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E">y</a>');
    expect(html).toContain('<a href="https://example.org/&#39;onfocus=&#39;alert(1)&#39;autofocus=&#39;">z</a>');
    expect(html).toContain('[w](https://example.org/&quot; onclick=&quot;alert(1))'); // the tab became a space
    expect(html).toContain('<a href="https://example.org/">t&quot; onclick=&quot;alert(1)</a>');
    // Each <a> has its one attribute, whatever the note held.
    for (const tag of html.match(/<a\s[^>]*>/g) ?? []) expect(tag).toMatch(/^<a href="[^"]*">$/);
  });

  it('is only allowed markup and at most 6 characters for each one of the note, whatever the note', () => {
    const piece = fc.constantFrom('*', '**', '_', '[', ']', '(', ')', '\\', '\n', '\n\n', '<', '>', '"', "'", '&', ' ');
    const parts = fc.oneof(
      piece,
      fc.constantFrom('https://example.org/', 'javascript:x', 'a', 'ü', '🙂', '[a](https://ü.example/"q")'),
      fc.string({ maxLength: 5, unit: 'binary' }),
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 80 }), (list) => {
        const raw = list.join('');
        const html = noteHtml(raw);
        expect(markupProblems(html)).toEqual([]);
        let kept = '';
        try {
          kept = normalizeNote(raw);
        } catch {
          expect(html).toBe('');
          return;
        }
        expect(html.length).toBeLessThanOrEqual(6 * kept.length + '<p></p>'.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('noteText', () => {
  it('drops the emphasis markers, writes a link as text (url), or the URL alone when the text is that URL', () => {
    expect(
      noteText(
        '**Big** *news* _today_:\n[Rust](https://www.rust-lang.org) and [https://example.org](https://example.org)\n\nBye [HTTPS://Example.org/a](https://example.org/a)',
      ),
    ).toBe('Big news today:\nRust (https://www.rust-lang.org/) and https://example.org/\n\nBye https://example.org/a');
  });

  it('keeps everything else as written: it is text, nobody parses it', () => {
    const note = '<script>alert(1)</script> [x](javascript:alert(1)) &amp; **open\n\n\n\n# not a heading';
    expect(noteText(note)).toBe('<script>alert(1)</script> [x](javascript:alert(1)) &amp; **open\n\n# not a heading');
    expect(noteText('')).toBe('');
  });
});
