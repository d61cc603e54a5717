import { type PoolSize, runPool, sizeForRate } from '../../../lambda/jobs/worker-pool';

async function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

const fixed = (n: number): PoolSize => ({ initial: n, wanted: () => n, observe: () => {} });

describe('runPool', () => {
  it('hands every item to exactly one worker, with no more than the wanted number at once', async () => {
    const seen: number[] = [];
    let active = 0;
    let peak = 0;
    await runPool(
      numbers(200),
      async (i) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 1));
        seen.push(i);
        active--;
      },
      fixed(5),
      () => false,
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(peak).toBe(5);
  });

  it('grows from its initial size to what is wanted', async () => {
    let peak = 0;
    let active = 0;
    await runPool(
      numbers(100),
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
      },
      { initial: 1, wanted: () => 8, observe: () => {} },
      () => false,
    );
    expect(peak).toBe(8);
  });

  it('stops taking items once told to stop', async () => {
    const seen: number[] = [];
    await runPool(
      numbers(100),
      async (i) => {
        seen.push(i);
      },
      fixed(1),
      () => seen.length >= 10,
    );
    expect(seen).toHaveLength(10);
  });
});

describe('sizeForRate', () => {
  it('uses the maximum when unpaced', () => {
    const size = sizeForRate(4);
    expect(size.initial).toBe(4);
    expect(size.wanted()).toBe(4);
  });

  it('keeps rate × work time × 1.5 + 1 in flight, within [2, max]', () => {
    const idle = () => false;
    const size = sizeForRate(64, 100, idle);
    expect(size.initial).toBe(2);
    size.observe(40); // 100/s × 40 ms = 4 in flight; with headroom 6 + 1
    expect(size.wanted()).toBe(7);
    const slow = sizeForRate(64, 1000, idle);
    slow.observe(500);
    expect(slow.wanted()).toBe(64);
    const quick = sizeForRate(64, 14, idle);
    quick.observe(1);
    expect(quick.wanted()).toBe(2);
  });

  it('adds no worker while the event loop is busy', () => {
    const size = sizeForRate(64, 1000, () => true);
    size.observe(100);
    expect(size.wanted()).toBe(0);
  });
});
