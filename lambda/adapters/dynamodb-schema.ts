/**
 * The DynamoDB table's shape, declared once: the store adapter and the CDK data stack both import it,
 * so the deployed table and the code that reads it cannot drift.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes an item some time after it passes (pending sign-ups, rate counters). */
  timeToLive: 'ttl',
} as const;
