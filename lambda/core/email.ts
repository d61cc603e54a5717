/**
 * Email address checks for subscriber input (CLI, CSV import, signup), and the masked form logs print. Pure.
 *
 * One address, one spelling: the local part as typed (trimmed, Unicode NFC; the store compares addresses
 * case-insensitively), the domain lower-cased and, when it is international, in its ASCII (punycode) form:
 * `user@bücher.example` and `user@xn--bcher-kva.example` are one subscriber, stored as the second. ASCII
 * because that is what goes on the wire: SMTP without SMTPUTF8 and Amazon SES take a domain only as punycode,
 * so the stored form is the one mailed, with no conversion at send time; pages show it back in Unicode
 * (`displayAddress`).
 *
 * Characters nobody can see or type on purpose are refused, with a message saying so: control characters,
 * format characters (zero-width spaces and joiners, bidi overrides and isolates, the byte-order mark), line and
 * paragraph separators, private-use, unassigned and other default-ignorable code points (variation selectors,
 * Hangul fillers). A pasted `zw\u200Bx@example.com` would otherwise be a second subscriber that looks the same.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

// Pragmatic: one @, a dotted ASCII domain, no spaces, quotes, angle brackets or control characters.
const ADDRESS =
  /^[^\s@"<>(),;:\\[\]\p{Cc}]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/iu;

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}]/u;

/** The longest address SMTP carries (RFC 5321's path limit less its angle brackets), in octets. */
export const MAX_ADDRESS_OCTETS = 254;

export type AddressCheck =
  | { ok: true; email: string }
  /** `invisible`: the input holds `character` (`U+200B`), which no one can see; `invalid`: it is no address. */
  | { ok: false; reason: 'invisible'; character: string }
  | { ok: false; reason: 'invalid' };

const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The address in its one stored spelling, or why the input is not a usable address. */
export function checkEmail(input: string): AddressCheck {
  // Before trimming: a line break or tab at either end is no more part of an address than one inside it.
  const hidden = INVISIBLE.exec(input);
  const trimmed = input.trim();
  if (hidden) return { ok: false, reason: 'invisible', character: codePoint(hidden[0]) };
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return { ok: false, reason: 'invalid' };
  const local = trimmed.slice(0, at).normalize('NFC');
  const written = trimmed.slice(at + 1);
  // An international name by UTS 46 (what browsers do): case folded, NFC, each label to punycode; '' when it
  // cannot be a name. An ASCII one is only lower-cased (UTS 46 would also rewrite `0x7f.1` as an IP address).
  const domain = /^[\x21-\x7e]*$/.test(written) ? written.toLowerCase() : domainToASCII(written);
  const email = `${local}@${domain}`;
  if (!domain || Buffer.byteLength(email, 'utf8') > MAX_ADDRESS_OCTETS || !ADDRESS.test(email)) {
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, email };
}

/** What to add to "… is not an email address" for a refused input: why, when it is not plain to see. */
export function refusal(check: Extract<AddressCheck, { ok: false }>): string {
  return check.reason === 'invisible' ? `: it holds a character that cannot be seen (${check.character})` : '';
}

/** The address in its one stored spelling; undefined when it is not a usable address. */
export function normalizeEmail(input: string): string | undefined {
  const checked = checkEmail(input);
  return checked.ok ? checked.email : undefined;
}

/** What a person reads: the stored address with an international domain back in Unicode. */
export function displayAddress(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0 || !email.slice(at + 1).includes('xn--')) return email;
  return `${email.slice(0, at)}@${domainToUnicode(email.slice(at + 1)) || email.slice(at + 1)}`;
}

/** An address as a log may print it: `j***@example.com` (the first character of the local part, the domain). */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const first = Array.from(email.slice(0, at))[0] ?? '';
  return `${first}***@${email.slice(at + 1)}`;
}

const ADDRESS_IN_TEXT = /[^\s@<>"'`/\\,;:()[\]]+@[^\s@<>"'`/\\,;:()[\]]+/gu;

/** `text` (an error message, a path) with every address in it masked, for a log line. */
export function maskAddressesIn(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, maskAddress);
}

/** A display name safe for a header: one line, bounded. */
export function cleanName(input: string | undefined): string | undefined {
  const name = input
    ?.replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, 100);
  return name ? name : undefined;
}

/** The address part of `Name <a@b>` or `a@b`. */
export function addressOf(mailbox: string): string {
  const m = /<([^>]+)>\s*$/.exec(mailbox);
  return (m?.[1] ?? mailbox).trim();
}
