/** runKeyed: both bounds hold at every moment, keys take turns, results keep their order, abort skips. */
import { runKeyed } from '../../../lambda/core/keyed-pool';

/** Work that waits for the test to release it, recording what runs at once. */
function gate() {
  const running = new Map<string, number>();
  let total = 0;
  let maxTotal = 0;
  const maxPerKey = new Map<string, number>();
  const started: string[] = [];
  const waiting: (() => void)[] = [];
  const work = (item: string) => {
    const key = item.split('/')[0] as string;
    started.push(item);
    total++;
    maxTotal = Math.max(maxTotal, total);
    running.set(key, (running.get(key) ?? 0) + 1);
    maxPerKey.set(key, Math.max(maxPerKey.get(key) ?? 0, running.get(key) ?? 0));
    return new Promise<string>((resolve) =>
      waiting.push(() => {
        total--;
        running.set(key, (running.get(key) ?? 1) - 1);
        resolve(`done ${item}`);
      }),
    );
  };
  const releaseAll = async () => {
    while (waiting.length) {
      for (const release of waiting.splice(0)) release();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { work, started, releaseAll, max: () => ({ maxTotal, maxPerKey }) };
}

const keyOf = (item: string) => item.split('/')[0] as string;

describe('runKeyed', () => {
  it('never runs more than concurrency at once nor more than perKey for one key, and returns results in order', async () => {
    const items = [...Array(10).keys()].map((i) => `a/${i}`).concat(['b/0', 'b/1', 'c/0']);
    const g = gate();
    const run = runKeyed(items, keyOf, g.work, (i) => `skipped ${i}`, { concurrency: 4, perKey: 2 });
    await new Promise((r) => setImmediate(r));
    // The first wave: two of a, two of b (keys take turns), c waits for a free slot.
    expect(g.started).toEqual(['a/0', 'b/0', 'c/0', 'a/1']);
    await g.releaseAll();
    const results = await run;
    expect(results).toEqual(items.map((i) => `done ${i}`));
    expect(g.max().maxTotal).toBe(4);
    expect(Math.max(...g.max().maxPerKey.values())).toBe(2);
  });

  it('gives the skip result to items not started when the signal aborts', async () => {
    const items = ['a/0', 'a/1', 'a/2'];
    const g = gate();
    const controller = new AbortController();
    const run = runKeyed(items, keyOf, g.work, (i) => `skipped ${i}`, {
      concurrency: 1,
      perKey: 1,
      signal: controller.signal,
    });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await g.releaseAll();
    expect(await run).toEqual(['done a/0', 'skipped a/1', 'skipped a/2']);
  });

  it('resolves at once for no items', async () => {
    expect(
      await runKeyed(
        [],
        keyOf,
        async () => 1,
        () => 0,
        { concurrency: 2, perKey: 1 },
      ),
    ).toEqual([]);
  });
});
