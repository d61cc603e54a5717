/** URL rules: which links may be rendered, and when two links are the same link. Pure. */

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);

/** The scheme of a link (`javascript:`, `mailto:` …), or `invalid` when it does not parse. */
export function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return 'invalid';
  }
}

/** Only http(s) links with a host are ever rendered (Pinboard also stores javascript:, mailto:, file: …). */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return ALLOWED_SCHEMES.has(parsed.protocol) && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** Host shown beside a link, without a leading `www.`. */
export function displayHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/**
 * The key two links are compared by: scheme and host lower-cased (URL does this), default port,
 * fragment, `utm_*` parameters and a trailing slash dropped. http and https of one page are one link.
 */
export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return url.trim();
  }
  parsed.hash = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (key.toLowerCase().startsWith('utm_')) parsed.searchParams.delete(key);
  }
  parsed.searchParams.sort();
  const path = parsed.pathname.replace(/\/+$/, '');
  const query = parsed.searchParams.toString();
  const scheme = parsed.protocol === 'https:' ? 'http:' : parsed.protocol;
  return `${scheme}//${parsed.host}${path}${query ? `?${query}` : ''}`;
}
