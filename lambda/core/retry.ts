/** Retries with doubling, jittered, bounded backoff. One helper for sources and mailers alike. */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First wait; each further wait doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0 = exact doubling; 0.5 = each wait drawn from [50%, 100%] of its step (spreads out synchronized clients). */
  jitter: number;
  /** No retry starts past this long after the first attempt. */
  deadlineMs?: number;
}

export interface RetryHooks {
  isRetryable: (error: unknown) => boolean;
  /** A server's own advice (Retry-After), in ms, which takes precedence when longer. */
  retryAfterMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(step * (1 - policy.jitter * random()));
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  const wait = hooks.sleep ?? sleep;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !hooks.isRetryable(error)) throw error;
      const advised = hooks.retryAfterMs?.(error) ?? 0;
      const delay = Math.max(advised, backoffDelay(policy, attempt - 1, hooks.random));
      if (policy.deadlineMs !== undefined && Date.now() + delay - started > policy.deadlineMs) throw error;
      hooks.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}
