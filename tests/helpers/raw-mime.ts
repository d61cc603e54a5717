/** Reads a raw multipart message as it goes on the wire: each leaf part's headers and encoded body. */

export interface RawPart {
  contentType: string;
  transferEncoding: string;
  /** The body exactly as sent, still encoded; the CRLF before the next boundary is not part of it. */
  body: string;
}

/** The leaf parts of a (possibly nested) multipart message, in order. */
export function rawParts(raw: Buffer | string): RawPart[] {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const header = (name: string) =>
    new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im').exec(head)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '';
  const contentType = header('Content-Type');
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) {
    return [{ contentType, transferEncoding: header('Content-Transfer-Encoding').toLowerCase(), body }];
  }
  const delimiter = `\r\n--${boundary}`;
  const chunks = `\r\n${body}`.split(delimiter).slice(1);
  return chunks
    .filter((chunk) => !chunk.startsWith('--'))
    .flatMap((chunk) => rawParts(chunk.replace(/^[ \t]*\r\n/, '')));
}
