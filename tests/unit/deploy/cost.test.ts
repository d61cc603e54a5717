import { issuesPerMonth, monthlyCost } from '../../../lambda/deploy/cost';

describe('monthlyCost', () => {
  it('matches the cost table for weekly issues (docs/operations.md), within a cent or two', () => {
    expect(monthlyCost(100, 4.33).total).toBeCloseTo(2.21, 1);
    expect(monthlyCost(1000, 4.33).total).toBeCloseTo(2.63, 1);
    expect(monthlyCost(10_000, 4.33).total).toBeCloseTo(6.73, 1);
    expect(Math.abs(monthlyCost(100_000, 4.33).total - 47.76)).toBeLessThan(0.5);
  });

  it('is SES nearly all of a big list and the fixed costs nearly all of a small one', () => {
    const big = monthlyCost(100_000, 4.33);
    expect(big.items.ses).toBeCloseTo(43.3, 1);
    expect(big.messages).toBe(433_000);
    const none = monthlyCost(0, 4.33);
    expect(none.items.ses).toBe(0);
    expect(none.total).toBeCloseTo(2.17, 1);
  });
});

describe('issuesPerMonth', () => {
  it('reads the day-of-week field: weekly, twice a week, weekdays', () => {
    expect(issuesPerMonth('0 7 ? * SAT *')).toBeCloseTo(4.33, 2);
    expect(issuesPerMonth('0 7 ? * TUE,FRI *')).toBeCloseTo(8.67, 2);
    expect(issuesPerMonth('0 7 ? * MON-FRI *')).toBeCloseTo(21.67, 2);
  });

  it('reads the day-of-month field: monthly, twice a month, daily', () => {
    expect(issuesPerMonth('0 7 1 * ? *')).toBe(1);
    expect(issuesPerMonth('0 7 1,15 * ? *')).toBe(2);
    expect(issuesPerMonth('0 7 * * ? *')).toBe(30);
  });
});
