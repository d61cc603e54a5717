import { sleep } from './retry';

/**
 * Paces sends to a rate: each `acquire()` resolves at the next free slot, slots `1/rate` apart.
 * Slots are scheduled from the previous slot, not from when a caller woke, so timer lateness does not
 * accumulate and the achieved rate stays at the configured one. Pure: the clock and sleep are passed in.
 */
export interface RateLimiter {
  acquire(): Promise<void>;
  /** Gives back a slot whose send was refused before it counted (throttled, 5xx): SES counts accepted mail. */
  refund(): void;
  readonly ratePerSecond: number;
}

export function createRateLimiter(
  ratePerSecond: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = { now: () => performance.now(), sleep },
): RateLimiter {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
  const interval = 1000 / ratePerSecond;
  let next = Number.NEGATIVE_INFINITY;
  return {
    ratePerSecond,
    async acquire() {
      const now = clock.now();
      // After an idle spell, start afresh rather than bursting to "catch up".
      const slot = Math.max(now, next);
      next = slot + interval;
      const wait = slot - now;
      if (wait > 0) await clock.sleep(wait);
    },
    refund() {
      next = Math.max(clock.now(), next - interval);
    },
  };
}

/** Messages in flight at once for a rate: enough to keep the pace with up to ~250 ms per request. */
export function concurrencyFor(ratePerSecond: number): number {
  return Math.min(64, Math.max(2, Math.ceil(ratePerSecond / 4)));
}
