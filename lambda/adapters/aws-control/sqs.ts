/** The send queue's depth and retention: SQS GetQueueAttributes. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth, QueueStats } from '../../ports/operations';
import { awsCall } from './errors';

const ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'MessageRetentionPeriod',
] as const;

export class SqsQueueStats implements QueueStats {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async depth(): Promise<QueueDepth> {
    const answer = await awsCall(`SQS GetQueueAttributes ${this.queueUrl.split('/').pop()}`, () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: [...ATTRIBUTES] })),
    );
    const n = (k: (typeof ATTRIBUTES)[number]) => Number(answer.Attributes?.[k] ?? 0);
    return {
      visible: n('ApproximateNumberOfMessages'),
      inFlight: n('ApproximateNumberOfMessagesNotVisible'),
      delayed: n('ApproximateNumberOfMessagesDelayed'),
      ...(answer.Attributes?.MessageRetentionPeriod ? { retentionSeconds: n('MessageRetentionPeriod') } : {}),
    };
  }
}
