import { debounce, type Timers } from '../../../lambda/preview/debounce';

/** Timers on a clock the test moves by hand. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { timers, advance, pendingCount: () => pending.size };
}

describe('debounce', () => {
  it('flushes a burst once, quietMs after its last event, each item once in the order first seen', () => {
    const { timers, advance } = manualTimers();
    const flushes: string[][] = [];
    const batch = debounce<string>({ quietMs: 100, timers }, (items) => flushes.push(items));
    batch.push('a.mjml');
    advance(60);
    batch.push('b.hbs');
    advance(60);
    batch.push('a.mjml');
    advance(99);
    expect(flushes).toEqual([]);
    advance(1);
    expect(flushes).toEqual([['a.mjml', 'b.hbs']]);
    advance(1_000);
    expect(flushes).toHaveLength(1);
  });

  it('two bursts apart are two flushes', () => {
    const { timers, advance } = manualTimers();
    const flushes: string[][] = [];
    const batch = debounce<string>({ quietMs: 100, timers }, (items) => flushes.push(items));
    batch.push('x');
    advance(150);
    batch.push('y');
    advance(150);
    expect(flushes).toEqual([['x'], ['y']]);
  });

  it('a burst that never goes quiet still flushes at maxWaitMs', () => {
    const { timers, advance } = manualTimers();
    const flushes: number[][] = [];
    const batch = debounce<number>({ quietMs: 100, maxWaitMs: 500, timers }, (items) => flushes.push(items));
    for (let i = 0; i < 12; i++) {
      batch.push(i);
      advance(50);
    }
    // 600 ms of events every 50 ms: one flush at 500 ms with what came by then, the rest after the quiet.
    expect(flushes[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    advance(100);
    expect(flushes).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11],
    ]);
  });

  it('cancel drops what is pending and leaves no timer behind', () => {
    const { timers, advance, pendingCount } = manualTimers();
    const flushes: string[][] = [];
    const batch = debounce<string>({ quietMs: 100, timers }, (items) => flushes.push(items));
    batch.push('a');
    batch.cancel();
    expect(pendingCount()).toBe(0);
    advance(1_000);
    expect(flushes).toEqual([]);
  });
});
