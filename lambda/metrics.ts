/**
 * The digest's own CloudWatch metrics, declared once: the functions write them as embedded-metric-format log
 * lines (no API call), and the digest stack's alarms and dashboard read them by these names. Every metric is
 * written without dimensions into the stack's namespace (`DIGEST_METRICS_NAMESPACE`).
 */
export const METRICS = {
  /** compose-issue: recipients of an issue put on the send queue (one data point per enqueue). */
  enqueued: 'RecipientsEnqueued',
  /** send-batch: messages SES accepted. */
  sent: 'MessagesSent',
  /** send-batch: messages SES refused for good (MessageRejected, InvalidParameterValue…): recorded, not retried. */
  refused: 'MessagesRefused',
  /** send-batch: sends SES did not take at once (throttled, or a transient error) and that were tried again. */
  throttled: 'SendsThrottled',
  /** send-batch: recipients left unsent by a batch (the record comes back or is held for the quota). */
  unsent: 'RecipientsUnsent',
  /** send-batch: share of the SES 24-hour quota used, 0..1. */
  quotaUsedRatio: 'QuotaUsedRatio',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
