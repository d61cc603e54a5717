import fc from 'fast-check';
import { toCrlf } from '../../../lambda/core/line-endings';
import {
  encodeBase64,
  encodedBytes,
  encodeQuotedPrintable,
  smallerEncoding,
} from '../../../lambda/render/transfer-encoding';

/** A plain RFC 2045 decoder, written apart from the encoder. */
function decodeQuotedPrintable(encoded: string): string {
  const joined = encoded.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=') {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const encodedLines = (s: string) => s.split('\r\n');

describe('encodeQuotedPrintable', () => {
  it('keeps a line of 76 whole and soft-breaks only longer ones', () => {
    const line76 = 'x'.repeat(76);
    expect(encodeQuotedPrintable(`${line76}\r\n${line76}`)).toBe(`${line76}\r\n${line76}`);
    const out = encodeQuotedPrintable('y'.repeat(77));
    expect(encodedLines(out)).toEqual([`${'y'.repeat(75)}=`, 'yy']);
  });

  it('breaks after a space when there is one, so words stay whole on the wire', () => {
    const prose = 'The release notes worth reading this quarter: smaller binaries and faster incremental builds.';
    const lines = encodedLines(encodeQuotedPrintable(prose));
    expect(lines).toEqual([
      'The release notes worth reading this quarter: smaller binaries and faster =',
      'incremental builds.',
    ]);
  });

  it('never splits an =XX escape or the bytes of one UTF-8 character', () => {
    for (let shift = 0; shift < 8; shift++) {
      const text = `${'a'.repeat(shift)}${'Привет'.repeat(20)}`;
      const out = encodeQuotedPrintable(text);
      for (const line of encodedLines(out)) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).toMatch(/^(?:[^=]|=[0-9A-F]{2})*=?$/);
        // A line may not start with a UTF-8 continuation byte (=80..=BF).
        expect(line).not.toMatch(/^=[89AB]/);
      }
      expect(decodeQuotedPrintable(out)).toBe(text);
    }
  });

  it('escapes =, control characters, whitespace at a line end and a line opening with "From "', () => {
    const out = encodeQuotedPrintable('a = b\tc \r\nFrom here\r\nbell\u0007 tab\t');
    expect(encodedLines(out)).toEqual(['a =3D b\tc=20', '=46rom here', 'bell=07 tab=09']);
  });

  it('decodes back to the input, lines within 76, for any text', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\r\n', ' ', '\t', '=', 'From '),
            fc.string({ unit: 'grapheme', maxLength: 1 }),
          ),
          maxLength: 600,
        }),
        (raw) => {
          const text = toCrlf(raw);
          const out = encodeQuotedPrintable(text);
          expect(decodeQuotedPrintable(out)).toBe(text);
          expect(out).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
          for (const line of encodedLines(out)) expect(line.length).toBeLessThanOrEqual(76);
          expect(encodedBytes(text, 'quoted-printable')).toBe(out.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('encodeBase64', () => {
  it('writes lines of 76 that decode back, and encodedBytes counts them exactly', () => {
    for (const text of ['', 'a', 'Привет, 世界\r\n'.repeat(40)]) {
      const out = encodeBase64(text);
      for (const line of encodedLines(out)) expect(line.length).toBeLessThanOrEqual(76);
      expect(Buffer.from(out.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe(text);
      expect(encodedBytes(text, 'base64')).toBe(out.length);
    }
  });
});

describe('smallerEncoding', () => {
  it('keeps English in quoted-printable and sends Cyrillic and CJK in base64', () => {
    const html = (words: string) => `<p class="n" style="margin:0">${words}</p>\r\n`.repeat(50);
    expect(smallerEncoding(html('Julia Evans on the one thing every terminal user gets wrong.'))).toBe(
      'quoted-printable',
    );
    expect(smallerEncoding(html('Подробный разбор того, почему молодое поколение собирается копированием.'))).toBe(
      'base64',
    );
    expect(smallerEncoding(html('科学家发现鸟类可能利用地磁场、星空和气味共同导航。'))).toBe('base64');
  });
});
