/**
 * A feed's bytes → text in its own charset (windows-1251, KOI8-R, EUC-JP, GB2312, ISO-8859-x …) with the
 * runtime's own WHATWG TextDecoder (full ICU in official Node builds and in Lambda's nodejs24.x), so no
 * decoding tables are bundled. Which charset: a byte-order mark (or `<?` in UTF-16), else the HTTP
 * header's `charset`, else the XML declaration's `encoding`, else UTF-8 (RFC 7303 §3). One exception from
 * the wild: a header claiming UTF-8 over bytes that are not UTF-8, while the declaration names another
 * charset, loses to the declaration (servers add `charset=utf-8` by default).
 */

export interface DecodedBody {
  text: string;
  /** The charset used, by its WHATWG name (`windows-1251`, `euc-jp`, `gbk` …). */
  charset: string;
  /** Said when the body was read otherwise than it declares. */
  warning?: string;
}

/**
 * Names feeds use that the WHATWG Encoding Standard does not list (older libraries accepted them).
 * ISO-8859-1 and US-ASCII need no entry: the standard reads them as windows-1252, as browsers do, so
 * such feeds keep their curly quotes.
 */
const ALIASES: Record<string, string> = {
  cp932: 'shift_jis',
  cp936: 'gbk',
  ms936: 'gbk',
  'euc-cn': 'gbk',
  cp949: 'euc-kr',
  uhc: 'euc-kr',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
};

/** The decoder for a label, or undefined when this runtime has none (an unknown name, or a small-ICU build). */
function decoderFor(label: string): TextDecoder | undefined {
  const name = label.trim().toLowerCase();
  const alias = ALIASES[name] ?? name.replace(/^win-?(125\d)$|^windows(125\d)$/, 'windows-$1$2');
  try {
    return new TextDecoder(alias, { fatal: false });
  } catch {
    // RangeError: an encoding this runtime does not know.
    return undefined;
  }
}

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

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** TextDecoder drops the BOM of its own encoding (its `ignoreBOM` is false), as the old decoder's stripBOM did. */
export function decodeFeedBody(bytes: Buffer, contentType: string): DecodedBody {
  const bom = byteOrderMark(bytes);
  if (bom) return { text: new TextDecoder(bom).decode(bytes), charset: bom };
  const header = charsetOfContentType(contentType);
  const declared = charsetOfXmlDeclaration(bytes);
  const label = header ?? declared ?? 'utf-8';
  let decoder = decoderFor(label);
  if (header && declared && decoder?.encoding === 'utf-8' && !validUtf8(bytes)) {
    const fromDeclaration = decoderFor(declared);
    if (fromDeclaration && fromDeclaration.encoding !== 'utf-8') decoder = fromDeclaration;
  }
  if (!decoder) {
    return {
      text: UTF8.decode(bytes),
      charset: 'utf-8',
      warning: `unknown charset "${label.trim().toLowerCase()}": read as UTF-8`,
    };
  }
  const text = decoder.decode(bytes);
  if (decoder.encoding === 'utf-8' && text.includes('\ufffd') && !validUtf8(bytes)) {
    return {
      text,
      charset: 'utf-8',
      warning: 'bytes that are not UTF-8 were replaced (the feed declares no other charset)',
    };
  }
  return { text, charset: decoder.encoding };
}
