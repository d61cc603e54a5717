/**
 * How the send fleet on AWS is sized from the SES send rate, in one place: the CDK stack sets the SQS event
 * source from it, and each send-batch invocation paces itself from it, so the whole fleet together never
 * exceeds the account's rate (docs/FACTS.md: cap with the event source's maximum concurrency).
 */

export interface FleetPlan {
  /** Subscriber ids in one queue message. */
  recipientsPerMessage: number;
  /** Event source maximum concurrency: at most this many send-batch invocations run at once (2..1000). */
  maxConcurrency: number;
  /** Messages per second one invocation may send: the rate shared out over the fleet. */
  perInvocationRate: number;
  /** Queue messages handed to one invocation (1..10). */
  batchSize: number;
  functionTimeoutSeconds: number;
  /** At least 6× the function timeout, as AWS advises for SQS event sources. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

/** What one invocation can comfortably build and send per second (MIME on a fraction of a vCPU). */
const PER_INVOCATION_CAPACITY = 50;
export const RECIPIENTS_PER_MESSAGE = 50;
export const SEND_FUNCTION_TIMEOUT_SECONDS = 300;

export function planSendFleet(rate: number): FleetPlan {
  if (!(rate > 0)) throw new RangeError(`send rate must be positive, got ${rate}`);
  const maxConcurrency = Math.min(1000, Math.max(2, Math.ceil(rate / PER_INVOCATION_CAPACITY)));
  const perInvocationRate = rate / maxConcurrency;
  // Half the timeout is budgeted for sending, the rest is headroom for retries and slow answers.
  const fits = Math.floor((0.5 * SEND_FUNCTION_TIMEOUT_SECONDS * perInvocationRate) / RECIPIENTS_PER_MESSAGE);
  return {
    recipientsPerMessage: RECIPIENTS_PER_MESSAGE,
    maxConcurrency,
    perInvocationRate,
    batchSize: Math.min(10, Math.max(1, fits)),
    functionTimeoutSeconds: SEND_FUNCTION_TIMEOUT_SECONDS,
    visibilityTimeoutSeconds: 6 * SEND_FUNCTION_TIMEOUT_SECONDS,
    maxReceiveCount: 5,
  };
}
