/**
 * Runs a job over a stream with as many workers as keep a target rate, and no more: each message in
 * flight costs memory (about 1 MB with the AWS SDK), and a worker adds nothing once the event loop has
 * no idle time left (the process is busy building messages).
 */
import { performance } from 'node:perf_hooks';

export interface PoolSize {
  /** Workers to start with. */
  initial: number;
  /** Workers wanted now. */
  wanted(): number;
  /** Reports how long one item kept its worker busy, not counting waits for a rate slot. */
  observe(workMs: number): void;
}

/** True when the event loop was more than 90% busy since the last call. */
export function eventLoopBusy(): () => boolean {
  let loop = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, loop).utilization;
    loop = now;
    return share > 0.9;
  };
}

/**
 * In flight = rate × work time × 1.5 + 1 (Little's law with headroom), between 2 and `max`; unpaced
 * jobs use `max` throughout. Work time is a moving average.
 */
export function sizeForRate(max: number, rate?: number, busy: () => boolean = eventLoopBusy()): PoolSize {
  let workMs = 0;
  return {
    initial: rate === undefined ? max : Math.min(max, 2),
    wanted() {
      if (rate === undefined || workMs === 0) return max;
      if (busy()) return 0;
      return Math.min(max, Math.max(2, Math.ceil((rate * workMs * 1.5) / 1000) + 1));
    },
    observe(ms) {
      workMs = workMs === 0 ? ms : workMs * 0.9 + ms * 0.1;
    },
  };
}

/**
 * Feeds `items` to `work` from a growing pool of workers until the stream ends or `stop()` says so.
 * An async generator hands out items in turn to concurrent readers, so workers never take the same one.
 */
export async function runPool<T>(
  items: AsyncIterator<T>,
  work: (item: T) => Promise<void>,
  size: PoolSize,
  stop: () => boolean,
): Promise<void> {
  const running: Promise<void>[] = [];
  const worker = async () => {
    for (;;) {
      if (stop()) return;
      const next = await items.next();
      if (next.done || stop()) return;
      await work(next.value);
      if (running.length < size.wanted()) running.push(worker());
    }
  };
  for (let i = 0; i < Math.max(1, size.initial); i++) running.push(worker());
  for (let i = 0; i < running.length; i++) await running[i];
}
