/** How doctor's AWS SDK clients call: once (no SDK retries), each request within the check's time. */
export const oneAttempt = (timeoutMs: number) => ({
  maxAttempts: 1,
  requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(5000, timeoutMs) },
});
