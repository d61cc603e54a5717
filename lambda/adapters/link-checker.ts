/**
 * The LinkChecker over node:http(s): HEAD first, GET where HEAD is refused, redirects followed by hand,
 * bounded overall and per host, each link within its own time limit and the whole check within the run's
 * deadline. No body is ever read: the answer's status line and headers are all a check needs, and the
 * socket is closed as soon as they arrive.
 *
 * What it will request (SSRF): only http(s) URLs, on any port. The links are the author's own bookmarks,
 * but a `feed` source can be someone else's feed, and on AWS the function's own network (the Lambda
 * runtime API on 127.0.0.1, link-local metadata addresses, a VPC's private ranges) must not be reachable
 * through a link. So by default a link or redirect whose host is, or resolves to, a loopback, private,
 * link-local, CGNAT, multicast or unspecified address is not requested (the check happens on the address
 * actually connected to, so DNS rebinding gains nothing); `linkCheck.allowPrivateHosts` lifts this, for
 * an intranet or for tests on 127.0.0.1. Such a link is `unknown`, so it is still sent.
 */
import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { runKeyed } from '../core/keyed-pool';
import type { LinkProbe } from '../core/link-check';
import type { LinkChecker } from '../ports/link-checker';

export interface HttpLinkCheckerOptions {
  /** One link, every request it takes (HEAD, GET, redirects) together. */
  timeoutMs: number;
  /** Requests in flight at once, all hosts together. */
  concurrency: number;
  /** Requests in flight at once to one host (`host:port` of the link as saved; its redirect hops count there too). */
  perHost: number;
  followRedirects: boolean;
  maxRedirects: number;
  userAgent: string;
  allowPrivateHosts: boolean;
}

/** Statuses after which a HEAD is tried again as GET: HEAD not allowed or not implemented, or refused by a
 * server that answers HEAD differently from GET (some answer 400/403/404 to HEAD only). */
const GET_AFTER_HEAD = new Set([400, 403, 404, 405, 410, 501]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const PERMANENT = new Set([301, 308]);

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** True for an address a link must not reach by default (BlockList judges an IPv4-mapped IPv6 address as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses a host resolving to any private address (the address connected to is one of these). */
function publicLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.some((a) => isPrivateAddress(a.address))) {
      return callback(coded(`${hostname} resolves to a private address`, 'PRIVATE_ADDRESS'), []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(coded(`${hostname} has no address`, 'ENOTFOUND'), []);
    callback(null, first.address, first.family);
  });
}

interface Answer {
  status: number;
  location?: string;
}

/** One request; resolves on the status line and closes the connection without reading the body. */
function requestOnce(url: URL, method: 'HEAD' | 'GET', signal: AbortSignal, options: HttpLinkCheckerOptions) {
  return new Promise<Answer>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method,
      signal,
      agent: false,
      headers: { 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'identity' },
      ...(options.allowPrivateHosts ? {} : { lookup: publicLookup as unknown as typeof dns.lookup }),
    });
    req.once('response', (res) => {
      resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) });
      res.destroy();
    });
    req.once('error', reject);
    req.end();
  });
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
};

/** HEAD/GET link checks over node:http(s); one instance serves every run of a process. */
export class HttpLinkChecker implements LinkChecker {
  constructor(private readonly options: HttpLinkCheckerOptions) {}

  async check(urls: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<LinkProbe[]> {
    const deadline = opts.signal ?? new AbortController().signal;
    // Hosts where a link timed out in this check: the rest of their links are not tried (a slow host
    // costs one time limit, not one per link).
    const timedOut = new Set<string>();
    return runKeyed(
      urls,
      hostOf,
      (url) => this.probe(url, deadline, timedOut),
      (url): LinkProbe => ({ url, kind: 'skipped', code: 'DEADLINE' }),
      { concurrency: this.options.concurrency, perKey: this.options.perHost, signal: deadline },
    );
  }

  private async probe(url: string, deadline: AbortSignal, timedOut: Set<string>): Promise<LinkProbe> {
    const host = hostOf(url);
    if (deadline.aborted) return { url, kind: 'skipped', code: 'DEADLINE' };
    if (timedOut.has(host)) return { url, kind: 'skipped', code: 'HOST_TIMED_OUT' };
    const limit = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([limit, deadline]);
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return { url, kind: 'failure', code: 'BAD_URL' };
    }
    let redirects = 0;
    let permanentUrl: string | undefined;
    let permanentSoFar = true;
    try {
      for (;;) {
        if (current.protocol !== 'http:' && current.protocol !== 'https:') {
          return { url, kind: 'failure', code: 'BAD_REDIRECT' };
        }
        const literal = current.hostname.replace(/^\[|\]$/g, '');
        if (!this.options.allowPrivateHosts && isPrivateAddress(literal)) {
          return { url, kind: 'skipped', code: 'PRIVATE_ADDRESS' };
        }
        let answer = await requestOnce(current, 'HEAD', signal, this.options);
        if (GET_AFTER_HEAD.has(answer.status)) answer = await requestOnce(current, 'GET', signal, this.options);
        if (!this.options.followRedirects || !REDIRECT.has(answer.status)) {
          return {
            url,
            kind: 'answer',
            status: answer.status,
            finalUrl: current.href,
            redirects,
            ...(permanentUrl ? { permanentUrl } : {}),
          };
        }
        let next: URL;
        try {
          next = new URL(answer.location ?? '', current);
        } catch {
          return { url, kind: 'failure', code: 'BAD_REDIRECT' };
        }
        if (!answer.location) return { url, kind: 'failure', code: 'BAD_REDIRECT' };
        if (redirects >= this.options.maxRedirects) return { url, kind: 'failure', code: 'TOO_MANY_REDIRECTS' };
        redirects++;
        permanentSoFar &&= PERMANENT.has(answer.status);
        if (permanentSoFar) permanentUrl = next.href;
        current = next;
      }
    } catch (error) {
      if (limit.aborted) {
        timedOut.add(host);
        return { url, kind: 'failure', code: 'TIMEOUT' };
      }
      if (deadline.aborted) return { url, kind: 'skipped', code: 'DEADLINE' };
      const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
      if (code === 'PRIVATE_ADDRESS') return { url, kind: 'skipped', code };
      return { url, kind: 'failure', code, detail: (error as Error).message };
    }
  }
}
