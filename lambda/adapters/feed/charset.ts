/**
 * A feed's bytes → text in its own charset (windows-1251, KOI8-R, EUC-JP, GB2312, ISO-8859-x …) with
 * iconv-lite. Which charset: a byte-order mark (or `<?` in UTF-16), else the HTTP header's `charset`, else the XML
 * declaration's `encoding`, else UTF-8 (RFC 7303 §3). One exception from the wild: a header claiming
 * UTF-8 over bytes that are not UTF-8, while the declaration names another charset, loses to the
 * declaration (servers add `charset=utf-8` by default).
 */
import iconv from 'iconv-lite';

export interface DecodedBody {
  text: string;
  /** The charset used, as iconv-lite knows it. */
  charset: string;
  /** Said when the body was read otherwise than it declares. */
  warning?: string;
}

/** Labels browsers read as windows-1252 (WHATWG Encoding): such feeds carry its curly quotes in practice. */
const AS_WINDOWS_1252 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'iso_8859-1']);

const normalize = (label: string) => {
  const name = label.trim().toLowerCase();
  return AS_WINDOWS_1252.has(name) ? 'windows-1252' : name;
};

const isUtf8 = (name: string) => name === 'utf-8' || name === 'utf8';

export function charsetOfContentType(contentType: string): string | undefined {
  return /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
}

/** The `encoding` of an XML declaration, read from the first bytes. */
export function charsetOfXmlDeclaration(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024);
  return /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head.toString('latin1'))?.[1];
}

/** What the first bytes prove whatever anyone says: a BOM, or `<?` written in UTF-16 (XML 1.0 Appendix F). */
function byteOrderMark(bytes: Buffer): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a === 0x3c && b === 0 && c === 0x3f && d === 0) return 'utf-16le';
  if (a === 0 && b === 0x3c && c === 0 && d === 0x3f) return 'utf-16be';
  return undefined;
}

const validUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

function decodeAs(bytes: Buffer, label: string): string {
  return iconv.decode(bytes, label, { stripBOM: true });
}

export function decodeFeedBody(bytes: Buffer, contentType: string): DecodedBody {
  const bom = byteOrderMark(bytes);
  if (bom) return { text: decodeAs(bytes, bom), charset: bom };
  const header = charsetOfContentType(contentType);
  const declared = charsetOfXmlDeclaration(bytes);
  let chosen = normalize(header ?? declared ?? 'utf-8');
  if (header && declared && isUtf8(chosen) && !isUtf8(normalize(declared)) && !validUtf8(bytes)) {
    chosen = normalize(declared);
  }
  if (!iconv.encodingExists(chosen)) {
    return {
      text: decodeAs(bytes, 'utf-8'),
      charset: 'utf-8',
      warning: `unknown charset "${chosen}": read as UTF-8`,
    };
  }
  const text = decodeAs(bytes, chosen);
  if (isUtf8(chosen) && text.includes('\ufffd') && !validUtf8(bytes)) {
    return {
      text,
      charset: 'utf-8',
      warning: 'bytes that are not UTF-8 were replaced (the feed declares no other charset)',
    };
  }
  return { text, charset: chosen };
}
