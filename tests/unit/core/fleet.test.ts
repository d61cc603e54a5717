import { planSendFleet } from '../../../lambda/core/fleet';

describe('planSendFleet', () => {
  it.each([1, 14, 50, 100, 200, 1000, 5000, 60_000])(
    'at %d/s the whole fleet paced per invocation never exceeds the rate, and a batch fits in the timeout',
    (rate) => {
      const plan = planSendFleet(rate);
      expect(plan.maxConcurrency).toBeGreaterThanOrEqual(2);
      expect(plan.maxConcurrency).toBeLessThanOrEqual(1000);
      expect(plan.perInvocationRate * plan.maxConcurrency).toBeLessThanOrEqual(rate + 1e-9);
      expect(plan.batchSize).toBeGreaterThanOrEqual(1);
      expect(plan.batchSize).toBeLessThanOrEqual(10);
      expect(plan.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * plan.functionTimeoutSeconds);
      // One invocation's batch, sent at its share of the rate, takes at most half the timeout, except at the
      // smallest batch (one message), which must still fit in the whole timeout.
      const seconds = (plan.batchSize * plan.recipientsPerMessage) / plan.perInvocationRate;
      if (plan.batchSize > 1) expect(seconds).toBeLessThanOrEqual(plan.functionTimeoutSeconds / 2);
      expect(seconds).toBeLessThanOrEqual(plan.functionTimeoutSeconds);
    },
  );

  it('grows the fleet with the rate, capped at the event source limit', () => {
    expect(planSendFleet(14).maxConcurrency).toBe(2);
    expect(planSendFleet(500).maxConcurrency).toBe(10);
    expect(planSendFleet(1_000_000).maxConcurrency).toBe(1000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => planSendFleet(0)).toThrow(/positive/);
    expect(() => planSendFleet(Number.NaN)).toThrow(/positive/);
  });
});
