/** Small helpers over Node's built-in fetch, shared by the sources. Every body is read bounded in size and time. */
import { SourceError } from '../core/errors';
import { type RetryHooks, type RetryPolicy, withRetry } from '../core/retry';

/** An HTTP answer that may succeed on a later try (429, 5xx, timeouts, refused connections). */
export class TransientHttpError extends SourceError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isTransient = (e: unknown) => e instanceof TransientHttpError;
export const retryAfterOf = (e: unknown) => (e instanceof TransientHttpError ? e.retryAfterMs : undefined);

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `20 MB`, `512 kB`, `900 bytes`: sizes in messages (decimal units, as the config's byte counts are). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${Number((bytes / 1_000_000).toFixed(1))} MB`;
  if (bytes >= 1_000) return `${Number((bytes / 1_000).toFixed(1))} kB`;
  return `${bytes} bytes`;
}

/** A URL fit for messages: no user info, no query values, no Pinboard feed secret. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/\/secret:[^/]+/g, '/secret:…');
    return `${u.protocol}//${u.host}${path}${u.search ? '?…' : ''}`;
  } catch {
    return '(an unreadable URL)';
  }
}

/** Redirects followed before a request fails: enough for http → https → a new host, short of any loop. */
export const MAX_REDIRECTS = 5;

export interface FetchOptions {
  /** The whole request, every redirect, headers and body together. */
  timeoutMs: number;
  /** The body is read up to this many bytes; past it the read stops and fails. */
  maxBytes: number;
  headers?: Record<string, string>;
  /** Default MAX_REDIRECTS. */
  maxRedirects?: number;
}

export interface HttpBody {
  status: number;
  /** The raw bytes: a feed's charset is decided from them, the header and the XML declaration. */
  body: Buffer;
  contentType: string;
  headers: Headers;
  /** Where the answer came from, after redirects: the base of relative links in it. */
  url: string;
  /**
   * Set when the request's own URL has moved for good: the target of the 301/308 redirects it began with
   * (a temporary redirect ends the run of them), so the config can be updated to it.
   */
  movedTo?: string;
}

const tooLarge = (label: string, maxBytes: number, what: string) =>
  new SourceError(
    `${label}: ${what} over the limit of ${formatBytes(maxBytes)} (sourceLimits.maxBodyBytes = ${maxBytes}); nothing was used`,
  );

const isTimeout = (cause: unknown) => ['TimeoutError', 'AbortError'].includes((cause as Error | undefined)?.name ?? '');

/** Reads a body chunk by chunk, never holding more than `maxBytes`; a Content-Length over it fails before reading. */
async function readBounded(response: Response, label: string, options: FetchOptions): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(label, options.maxBytes, `the answer declares ${formatBytes(declared)} (Content-Length),`);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(label, options.maxBytes, 'the answer grew');
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof SourceError) throw cause;
    if (isTimeout(cause)) {
      throw new TransientHttpError(`${label}: no complete answer within ${options.timeoutMs / 1000} s`, undefined, {
        cause,
      });
    }
    throw new TransientHttpError(`${label}: the answer broke off (${(cause as Error).message})`, undefined, { cause });
  }
  return Buffer.concat(chunks, total);
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const PERMANENT = new Set([301, 308]);

/** One request, no redirects followed; network failures and timeouts are transient. */
async function request(url: string, label: string, options: FetchOptions, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { signal, headers: options.headers ?? {}, redirect: 'manual' });
  } catch (cause) {
    if (isTimeout(cause)) {
      throw new TransientHttpError(`${label}: no answer within ${options.timeoutMs / 1000} s`, undefined, { cause });
    }
    const code = ((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message) || 'network error';
    throw new TransientHttpError(`${label}: cannot connect (${code})`, undefined, { cause });
  }
}

/** Where a redirect points, checked: an http(s) URL, resolved against the URL that answered. */
function redirectTarget(response: Response, from: string, label: string): string {
  const location = response.headers.get('location');
  if (!location) throw new SourceError(`${label}: HTTP ${response.status} redirect without a Location header`);
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new SourceError(`${label}: HTTP ${response.status} redirect to an unreadable Location`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new SourceError(
      `${label}: HTTP ${response.status} redirect to a ${target.protocol} URL, which is not followed`,
    );
  }
  return target.href;
}

/**
 * GETs a URL and returns the body's bytes, read within `maxBytes` and `timeoutMs` (every hop, headers and
 * body). Redirects are followed here, at most `maxRedirects` of them (one more is a SourceError), so a
 * permanent move can be reported. `label` names the request in errors and must not hold secrets. 429 and
 * 5xx, timeouts and network failures are transient; a body over the limit is not (a retry would read the
 * same); other statuses (304 among them) are returned for the caller.
 */
export async function fetchBody(url: string, label: string, options: FetchOptions): Promise<HttpBody> {
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = url;
  let movedTo: string | undefined;
  let movedSoFar = true;
  for (let followed = 0; ; followed++) {
    const response = await request(current, label, options, signal);
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel().catch(() => {});
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      const what = response.status === 429 ? 'rate limited (429 Too Many Requests)' : `server error ${response.status}`;
      throw new TransientHttpError(`${label}: ${what}`, retryAfter);
    }
    if (!REDIRECT.has(response.status)) {
      const body = await readBounded(response, label, options);
      return {
        status: response.status,
        body,
        contentType: response.headers.get('content-type') ?? '',
        headers: response.headers,
        url: current,
        ...(movedTo ? { movedTo } : {}),
      };
    }
    await response.body?.cancel().catch(() => {});
    const next = redirectTarget(response, current, label);
    if (followed >= maxRedirects) {
      throw new SourceError(
        `${label}: more than ${maxRedirects} redirects (the last to ${safeUrl(next)}); nothing was read`,
      );
    }
    movedSoFar &&= PERMANENT.has(response.status);
    if (movedSoFar) movedTo = next;
    current = next;
  }
}

/** `fetchBody` for answers that are UTF-8 by definition (the Pinboard API's JSON). */
export async function fetchText(
  url: string,
  label: string,
  options: FetchOptions,
): Promise<{ status: number; body: string; contentType: string }> {
  const answer = await fetchBody(url, label, options);
  return { ...answer, body: answer.body.toString('utf8') };
}

/** A short, single-line excerpt of a body for an error message. */
export function excerpt(body: string, max = 80): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Runs one HTTP attempt with retries on transient failures (429, 5xx, timeouts, refused connections),
 * honouring Retry-After; when they run out, a SourceError says how many attempts were made.
 */
export function withHttpRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  hooks: Pick<RetryHooks, 'sleep' | 'onRetry'> = {},
): Promise<T> {
  return withRetry(attempt, policy, { ...hooks, isRetryable: isTransient, retryAfterMs: retryAfterOf }).catch(
    (error: unknown) => {
      if (!isTransient(error)) throw error;
      throw new SourceError(`${(error as Error).message} (gave up after ${policy.attempts} attempts)`, {
        cause: error,
      });
    },
  );
}
