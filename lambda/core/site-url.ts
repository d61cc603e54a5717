/**
 * The public base of every link the digest makes (`siteUrl`). Real mail needs https; plain http is accepted
 * only for a loopback host (`http://127.0.0.1:8080`, `http://localhost:8080`), which only makes sense locally:
 * `serve` on a laptop. A deployment refuses it (infra/stacks.ts).
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an http(s) URL whose host is this machine. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** Why `url` cannot be a siteUrl, or undefined when it can: https anywhere, http only on loopback. */
export function siteUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    return isLoopbackUrl(url)
      ? undefined
      : 'must be https (plain http only for http://127.0.0.1:PORT or http://localhost:PORT, for local use)';
  }
  return 'must be an http(s) URL';
}

/** `siteUrl` without its trailing slashes, to put paths after: the one base of every link the digest makes. */
export function siteBase(url: string): string {
  return url.replace(/\/+$/, '');
}
