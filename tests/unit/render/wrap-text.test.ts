import fc from 'fast-check';
import { LINE_BREAK_IN_VALUE, textWidth, wrapText } from '../../../lambda/render/wrap-text';

const LONE_URL = /^[ \t]*https?:\/\/\S+$/;
const lines = (s: string) => s.split('\n');

describe('wrapText', () => {
  it('leaves lines of 78 or less exactly as they are', () => {
    const text = `${'a'.repeat(78)}\n  indented   with  runs of spaces \n\n* bullet`;
    expect(wrapText(text)).toBe(text);
  });

  it('fills prose to 78 at word boundaries', () => {
    const words = 'The quick brown fox jumps over the lazy dog and keeps running far beyond the margin of the page';
    const out = wrapText(words);
    expect(lines(out)).toEqual([
      'The quick brown fox jumps over the lazy dog and keeps running far beyond the',
      'margin of the page',
    ]);
  });

  it('indents continuation lines under a bullet and under an indented line', () => {
    const out = wrapText(
      `* ${'Title word '.repeat(10)}(example.com)\n  ${'Note word '.repeat(12)}\n12. ${'numbered '.repeat(12)}`,
    );
    expect(lines(out)).toEqual([
      '* Title word Title word Title word Title word Title word Title word Title word',
      '  Title word Title word Title word (example.com)',
      '  Note word Note word Note word Note word Note word Note word Note word Note',
      '  word Note word Note word Note word Note word',
      '12. numbered numbered numbered numbered numbered numbered numbered numbered',
      '    numbered numbered numbered numbered',
    ]);
  });

  it('never breaks a URL: one that does not fit starts a line, one longer than a line stands alone', () => {
    const short = 'https://example.com/a/short/path';
    const long = `https://example.com/${'segment/'.repeat(12)}end?x=1&y=2`;
    const out = wrapText(
      `  See ${'word '.repeat(12)}${short} and also ${long} which is long, then more prose follows.`,
    );
    expect(out).toContain(short);
    expect(lines(out)).toContain(`  ${long}`);
    for (const line of lines(out)) if (line.length > 78) expect(line).toMatch(LONE_URL);
    expect(lines(out).at(-1)).toMatch(/^ {2}which is long/);
  });

  it('gives an "alone" token a line of its own even where it would fit', () => {
    const out = wrapText('Unsubscribe with one click: pdunsubPLACEHOLDER', { alone: ['pdunsubPLACEHOLDER'] });
    expect(lines(out)).toEqual(['Unsubscribe with one click:', 'pdunsubPLACEHOLDER']);
  });

  it('breaks CJK text between characters, counting each as two columns', () => {
    const text = `  ${'科学家发现鸟类可能利用地磁场、星空和气味共同导航。'.repeat(6)}`;
    const out = lines(wrapText(text));
    expect(out.length).toBeGreaterThan(3);
    for (const line of out) {
      expect(textWidth(line)).toBeLessThanOrEqual(78);
      expect(line.startsWith('  ')).toBe(true);
    }
    expect(out.map((l) => l.trim()).join('')).toBe(text.trim());
  });

  it('breaks a word longer than a line without splitting a grapheme', () => {
    const family = '👩‍👩‍👧‍👦';
    const out = lines(wrapText(`x${family.repeat(40)}`));
    for (const line of out) {
      expect(textWidth(line)).toBeLessThanOrEqual(78);
      expect(line.replace(/^x/, '').split(family).join('')).toBe('');
    }
  });

  it('turns a line break inside a value into a line at the continuation indent', () => {
    const out = wrapText(`  First line of the note.${LINE_BREAK_IN_VALUE}Second line.`);
    expect(lines(out)).toEqual(['  First line of the note.', '  Second line.']);
  });

  it('keeps every word and keeps lines within 78 unless a lone URL, for any text', () => {
    const word = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.stringMatching(/^https?:\/\/[a-z0-9./?=&-]{1,120}$/),
      fc.constantFrom('科学家发现鸟类可能利用地磁场', 'Привет', '*', '-', '1.', '  ', '\t', LINE_BREAK_IN_VALUE),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { maxLength: 40 }).map((ws) => ws.join(' ')),
          { maxLength: 6 },
        ),
        (rows) => {
          const text = rows.join('\n');
          const out = wrapText(text);
          for (const line of lines(out)) {
            if (textWidth(line) > 78) expect(line).toMatch(LONE_URL);
            expect(line).not.toContain(LINE_BREAK_IN_VALUE);
          }
          expect(out.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('textWidth', () => {
  it('is at least the columns, the characters and the UTF-16 units of a string', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('世界')).toBe(4);
    expect(textWidth('😀')).toBe(2);
    expect(textWidth('e\u0301')).toBe(2);
  });
});
