/** Small helpers over Node's built-in fetch, shared by the sources. */
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

/**
 * GETs a URL and returns the body text. `label` names the request in errors and must not hold secrets.
 * 429 and 5xx, timeouts and network failures are transient; other statuses are returned for the caller.
 */
export async function fetchText(
  url: string,
  label: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; contentType: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers, redirect: 'follow' });
  } catch (cause) {
    const name = (cause as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new TransientHttpError(`${label}: no answer within ${timeoutMs / 1000} s`, undefined, { cause });
    }
    const code = ((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message) || 'network error';
    throw new TransientHttpError(`${label}: cannot connect (${code})`, undefined, { cause });
  }
  let body: string;
  try {
    body = await response.text();
  } catch (cause) {
    throw new TransientHttpError(`${label}: the answer broke off (${(cause as Error).message})`, undefined, { cause });
  }
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const what = response.status === 429 ? 'rate limited (429 Too Many Requests)' : `server error ${response.status}`;
    throw new TransientHttpError(`${label}: ${what}`, retryAfter);
  }
  return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
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
