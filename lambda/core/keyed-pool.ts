/**
 * Runs async work over items with two bounds: at most `concurrency` at once, and at most `perKey` at once
 * for items sharing a key (a host). Keys take turns, so one key with many items cannot hold every slot
 * while others wait. Pure scheduling: no I/O of its own.
 */

export interface KeyedPoolOptions {
  concurrency: number;
  perKey: number;
  /** When it aborts, items not yet started are not started: `skip` gives their result. */
  signal?: AbortSignal;
}

/**
 * `work(item)` for every item, within the bounds; results in input order. `work` should not throw (a
 * thrown error rejects the whole run once the items in flight are done).
 */
export function runKeyed<T, R>(
  items: readonly T[],
  keyOf: (item: T) => string,
  work: (item: T) => Promise<R>,
  skip: (item: T) => R,
  options: KeyedPoolOptions,
): Promise<R[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const perKey = Math.max(1, Math.floor(options.perKey));
  const results = new Array<R>(items.length);
  const queues = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(i);
    else queues.set(key, [i]);
  });
  const keys = [...queues.keys()];
  const inFlight = new Map<string, number>();
  let running = 0;
  let left = items.length;
  let turn = 0;
  let failure: { error: unknown } | undefined;

  return new Promise<R[]>((resolve, reject) => {
    const settle = () => {
      if (left > 0 || running > 0) return;
      options.signal?.removeEventListener('abort', pump);
      if (failure) reject(failure.error);
      else resolve(results);
    };
    const start = (key: string, index: number) => {
      running++;
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      const item = items[index] as T;
      work(item)
        .then(
          (r) => {
            results[index] = r;
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          running--;
          left--;
          inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
          pump();
        });
    };
    function pump() {
      if (options.signal?.aborted || failure) {
        for (const queue of queues.values()) {
          for (const index of queue.splice(0)) {
            if (!failure) results[index] = skip(items[index] as T);
            left--;
          }
        }
      }
      while (running < concurrency) {
        let started = false;
        for (let n = 0; n < keys.length; n++) {
          const at = (turn + n) % keys.length;
          const key = keys[at] as string;
          const queue = queues.get(key);
          if (!queue?.length || (inFlight.get(key) ?? 0) >= perKey) continue;
          turn = (at + 1) % keys.length;
          start(key, queue.shift() as number);
          started = true;
          break;
        }
        if (!started) break;
      }
      settle();
    }
    options.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}
