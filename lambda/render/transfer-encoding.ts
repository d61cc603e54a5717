/**
 * Content-Transfer-Encoding for the text and HTML parts (RFC 2045 §6.7, §6.8), written here rather than
 * by nodemailer so that the size measured is the size sent and soft breaks fall where a reader of the
 * raw message expects them. Input is UTF-8 text with CRLF line ends (core/line-endings.ts).
 */

export type BodyEncoding = 'quoted-printable' | 'base64';

/** RFC 2045: encoded lines are at most 76 characters, CRLF not counted. */
const MAX_LINE = 76;

const HEX = '0123456789ABCDEF';
const SPACE = 0x20;
const TAB = 0x09;

/** Characters that stand for themselves in quoted-printable: printable ASCII but `=`, plus space and tab. */
function literal(byte: number): boolean {
  return (byte >= 33 && byte <= 126 && byte !== 61) || byte === SPACE || byte === TAB;
}

const hexEscape = (byte: number) => `=${HEX[byte >> 4]}${HEX[byte & 15]}`;

/**
 * One line (no CRLF in it), escaped. Whitespace that ends the line is escaped so no server strips it,
 * and so is the `F` of a line opening with `From `, which mbox tools would rewrite (RFC 2045 §6.7).
 */
function escapeLine(bytes: Buffer, start: number, end: number): string {
  const mbox = end - start >= 5 && bytes.toString('latin1', start, start + 5) === 'From ';
  let encoded = '';
  let run = start;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    const trailing = i === end - 1 && (byte === SPACE || byte === TAB);
    if (literal(byte) && !trailing && !(mbox && i === start)) continue;
    encoded += bytes.toString('latin1', run, i) + hexEscape(byte);
    run = i + 1;
  }
  return encoded + bytes.toString('latin1', run, end);
}

/**
 * Splits an escaped line into lines of at most 76 with soft breaks (`=` at a line's end), only when it is
 * longer than that: after a space when one is in the second half, else as late as possible, but never
 * inside an `=XX` escape or between the bytes of one UTF-8 character.
 */
function softWrap(encoded: string, out: string[]): void {
  let from = 0;
  while (encoded.length - from > MAX_LINE) {
    let cut = from + MAX_LINE - 1; // room for the `=`
    if (encoded[cut - 1] === '=') cut -= 1;
    else if (encoded[cut - 2] === '=') cut -= 2;
    const space = Math.max(encoded.lastIndexOf(' ', cut - 1), encoded.lastIndexOf('\t', cut - 1));
    if (space >= from + (cut - from) / 2) {
      cut = space + 1;
    } else {
      while (cut - 3 > from && /^=[89AB]/.test(encoded.slice(cut, cut + 2))) cut -= 3; // a continuation byte
    }
    out.push(`${encoded.slice(from, cut)}=`);
    from = cut;
  }
  out.push(encoded.slice(from));
}

export function encodeQuotedPrintable(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const crlf = bytes.indexOf('\r\n', start);
    const end = crlf < 0 ? bytes.length : crlf;
    softWrap(escapeLine(bytes, start, end), out);
    if (crlf < 0) break;
    start = crlf + 2;
  }
  return out.join('\r\n');
}

export function encodeBase64(content: string): string {
  const b64 = Buffer.from(content, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += MAX_LINE) lines.push(b64.slice(i, i + MAX_LINE));
  return lines.join('\r\n');
}

export function encodeBody(content: string, encoding: BodyEncoding): string {
  return encoding === 'base64' ? encodeBase64(content) : encodeQuotedPrintable(content);
}

/** The bytes `content` takes once encoded, line breaks included. */
export function encodedBytes(content: string, encoding: BodyEncoding): number {
  if (encoding === 'quoted-printable') return encodeQuotedPrintable(content).length;
  const chars = Math.ceil(Buffer.byteLength(content) / 3) * 4;
  return chars + 2 * Math.max(0, Math.ceil(chars / MAX_LINE) - 1);
}

/**
 * The smaller encoding of a part. Quoted-printable keeps ASCII readable but spends 3 bytes on each byte
 * above 127, so a Cyrillic or CJK issue grows to twice its size and more (docs/FACTS.md: measured 2.17×);
 * base64 always costs 4/3 plus line breaks (≤ 1.37×). So the encoded part is never over 1.37× its
 * decoded size, and an English one stays close to 1×. Ties go to quoted-printable.
 */
export function smallerEncoding(content: string): BodyEncoding {
  return encodedBytes(content, 'quoted-printable') <= encodedBytes(content, 'base64') ? 'quoted-printable' : 'base64';
}
