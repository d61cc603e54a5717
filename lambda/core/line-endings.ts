/** Line endings of mail. Pure. */

/**
 * RFC 5322 §2.3: every line of a message ends in CRLF. Any CR, LF or CRLF in `text` becomes one CRLF, so
 * no bare CR or LF is left (nodemailer keeps the LF of the bodies it is given: docs/FACTS.md).
 */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** The bytes `text` takes in a message once decoded: UTF-8 with CRLF line ends. */
export function mailBytes(text: string): number {
  return Buffer.byteLength(toCrlf(text));
}
