/**
 * What the author wrote in a reply, from the raw message SES received: the plain-text part (or the HTML part
 * with its tags dropped, when there is no text part), decoded, and only the lines above the quoted message.
 * Pure: text in, text out. Not a general MIME parser: enough for what mail clients send as a reply.
 */

/** Headers of one MIME entity, lowercased names, folded lines joined. */
function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

const param = (value: string, name: string) =>
  new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i')
    .exec(value)
    ?.slice(1)
    .find((v) => v !== undefined);

function decodeBody(body: string, encoding: string, charset: string): string {
  let bytes: Uint8Array;
  if (/^base64$/i.test(encoding)) bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (/^quoted-printable$/i.test(encoding)) {
    const joined = body.replace(/=\r?\n/g, '');
    const out: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(Number.parseInt(hex, 16));
        i += 2;
      } else out.push(...Buffer.from(joined[i] ?? '', 'utf8'));
    }
    bytes = Uint8Array.from(out);
  } else bytes = Buffer.from(body, 'utf8');
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

interface Part {
  type: string;
  text: string;
}

/** The leaf parts of a message, in order (multipart/* walked, nested ones too). */
function partsOf(raw: string, depth = 0): Part[] {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const headers = headersOf(head);
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(contentType, 'boundary');
    if (!boundary) return [];
    const pieces = body.split(
      new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`),
    );
    return pieces.slice(1, -1).flatMap((p) => partsOf(p, depth + 1));
  }
  const encoding = headers.get('content-transfer-encoding') ?? '7bit';
  return [{ type, text: decodeBody(body, encoding, param(contentType, 'charset') ?? 'utf-8') }];
}

/** An HTML part as text: line breaks at block ends, tags dropped, the common entities decoded. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<blockquote[\s\S]*$/i, '') // the quoted message, and all after it
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** An attribution line's end: "… wrote:" in the languages mail clients write it in. */
const ATTRIBUTION_END =
  /(wrote|schrieb|a écrit|schreef|escribió|ha scritto|escreveu|skrev|kirjoitti|napisał|написал[аи]?)(\s|\s.{0,200})?:\s*$/i;
/** How attributions open ("On Fri…", "Am 4.12…", "Le 4 déc…", "Op vr…", "El…", "Il…", "Em…", "Den…"). */
const OPENER = /^(On|Am|Le|Op|El|Il|Em|Den|W dniu)\s/;
/** Lines that end what the author wrote on their own: a quote, a rule, a signature, a phone's footer. */
const ALONE = [
  /^>/,
  /^-{2,}\s*Original Message\s*-{2,}/i,
  /^_{10,}\s*$/,
  /^-- $/,
  /^Sent from my /i,
  /^Get Outlook for /i,
];

/**
 * Where the quoted message starts in a reply: an attribution ("On … wrote:", which Gmail wraps over up to three
 * lines, and its forms in other languages), a line of "> ", Outlook's "-----Original Message-----" or its
 * "From:" block (From: then Sent:/Date:/To: within a few lines), a signature's "-- ", a phone's "Sent from my…".
 */
function quoteStart(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (ALONE.some((r) => r.test(line))) return i;
    for (let n = 1; n <= 3; n++) {
      const part = lines.slice(i, i + n);
      // One attribution, wrapped: no blank line inside it; it opens as attributions do, or names a date or an address.
      if (part.length < n || part.some((l) => l.trim() === '')) break;
      const joined = part.join(' ');
      // Wrapped over lines, it must open as attributions do; on one line, a date or an address will do.
      const opens = OPENER.test(line) || (n === 1 && /\d|@|</.test(joined));
      if (opens && ATTRIBUTION_END.test(joined)) return i;
    }
    if (/^From:\s\S/.test(line) && lines.slice(i + 1, i + 5).some((l) => /^(Sent|Date|To|Subject):\s/.test(l)))
      return i;
  }
  return -1;
}

/** The author's own words: the lines before the quote, trimmed; CRLF made LF. */
export function textAboveQuote(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const end = quoteStart(lines);
  return (end === -1 ? lines : lines.slice(0, end))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The reply's new text (see the file's comment); empty when there is none. */
export function replyText(raw: string): string {
  const parts = partsOf(raw);
  const plain = parts.find((p) => p.type === 'text/plain');
  if (plain) return textAboveQuote(plain.text);
  const html = parts.find((p) => p.type === 'text/html');
  return html ? textAboveQuote(htmlToText(html.text)) : '';
}
