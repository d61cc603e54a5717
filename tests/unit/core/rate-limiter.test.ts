import { concurrencyFor, createRateLimiter } from '../../../lambda/core/rate-limiter';

/** A clock that only moves when someone sleeps. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    at: () => t,
  };
}

describe('createRateLimiter', () => {
  it('spaces slots exactly 1/rate apart, so n sends take (n-1)/rate seconds', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(14, clock);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      await limiter.acquire();
      times.push(clock.at());
    }
    expect(times[0]).toBe(0);
    expect(times[14]).toBeCloseTo(1000, 6);
  });

  it('gives concurrent callers distinct slots', async () => {
    let t = 0;
    const woke: number[] = [];
    const limiter = createRateLimiter(100, {
      now: () => t,
      sleep: async (ms) => {
        woke.push(t + ms);
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    expect(woke).toEqual([10, 20, 30, 40]);
    t = 1000; // after an idle spell: no burst to catch up
    await limiter.acquire();
    await limiter.acquire();
    expect(woke.slice(4)).toEqual([1010]);
  });

  it('sizes concurrency to the rate, within bounds', () => {
    expect(concurrencyFor(1)).toBe(2);
    expect(concurrencyFor(14)).toBe(4);
    expect(concurrencyFor(100)).toBe(25);
    expect(concurrencyFor(10_000)).toBe(64);
  });
});

describe('RateLimiter.refund', () => {
  it('gives back the slot of a refused send, never one in the past', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(10, clock);
    await limiter.acquire(); // t=0
    await limiter.acquire(); // t=100
    limiter.refund(); // the t=100 send was throttled: the next slot is t=100 again
    await limiter.acquire();
    expect(clock.at()).toBe(100);
    limiter.refund();
    limiter.refund();
    limiter.refund(); // cannot go back before now
    await limiter.acquire();
    expect(clock.at()).toBe(100);
  });
});
