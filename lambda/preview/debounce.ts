/**
 * Collects a burst of change events into one call: an editor's save is often several events (write, rename,
 * chmod) on one or more files, and a rebuild per event would be wasted work. Flushes `quietMs` after the
 * last event, or `maxWaitMs` after the first one of a burst that never goes quiet.
 */
export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Debouncer<T> {
  /** Records one event; the flush comes later. */
  push(item: T): void;
  /** Drops what is pending; nothing is flushed. */
  cancel(): void;
}

export interface DebounceOptions {
  quietMs: number;
  maxWaitMs?: number;
  timers?: Timers;
}

/** `onFlush` gets each distinct item of the burst once, in the order first seen. */
export function debounce<T>(options: DebounceOptions, onFlush: (items: T[]) => void): Debouncer<T> {
  const timers = options.timers ?? REAL_TIMERS;
  const maxWaitMs = options.maxWaitMs ?? options.quietMs * 10;
  let pending = new Set<T>();
  let quiet: unknown;
  let deadline: unknown;

  const clear = () => {
    if (quiet !== undefined) timers.clearTimeout(quiet);
    if (deadline !== undefined) timers.clearTimeout(deadline);
    quiet = undefined;
    deadline = undefined;
  };
  const flush = () => {
    clear();
    const items = [...pending];
    pending = new Set();
    if (items.length > 0) onFlush(items);
  };

  return {
    push(item) {
      pending.add(item);
      if (quiet !== undefined) timers.clearTimeout(quiet);
      quiet = timers.setTimeout(flush, options.quietMs);
      deadline ??= timers.setTimeout(flush, maxWaitMs);
    },
    cancel() {
      clear();
      pending = new Set();
    },
  };
}
