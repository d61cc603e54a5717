/** Email address checks for subscriber input (CLI, CSV import, signup). Pure. */

// Pragmatic: one @, a dotted domain, no spaces, quotes, angle brackets or control characters.
const ADDRESS =
  /^[^\s@"<>(),;:\\[\]\p{Cc}]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/iu;

/** The address trimmed, with the domain lower-cased; undefined when it is not a usable address. */
export function normalizeEmail(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed.length > 254 || !ADDRESS.test(trimmed)) return undefined;
  const at = trimmed.lastIndexOf('@');
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** A display name safe for a header: one line, bounded. */
export function cleanName(input: string | undefined): string | undefined {
  const name = input
    ?.replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, 100);
  return name ? name : undefined;
}
