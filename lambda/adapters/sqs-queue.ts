/**
 * The send queue on Amazon SQS. `SendMessageBatch` takes at most 10 entries and can accept some while
 * refusing others (`Failed[]` in a 200 answer): refused entries are sent again, with backoff, until all are
 * accepted or the attempts run out. The endpoint comes from the SDK's environment (AWS_ENDPOINT_URL_SQS).
 */
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { StoreError } from '../core/errors';
import { sleep as realSleep } from '../core/retry';
import type { SendBatch, SendQueue } from '../ports/queue';

export interface SqsQueueOptions {
  queueUrl: string;
  client?: SQSClient;
  /** Tries per entry before giving up. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_ENTRIES = 10;

export class SqsSendQueue implements SendQueue {
  readonly description: string;
  readonly durable = true;
  private readonly client: SQSClient;
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SqsQueueOptions) {
    // An endpoint set in the environment (a local SQS) wins over the host written inside queue URLs.
    const endpointSet = Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
    this.client = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: !endpointSet });
    this.attempts = options.attempts ?? 5;
    this.sleep = options.sleep ?? realSleep;
    this.description = `SQS queue ${options.queueUrl.split('/').pop()}`;
  }

  async enqueue(batches: SendBatch[], options: { delaySeconds?: number } = {}): Promise<void> {
    for (let i = 0; i < batches.length; i += MAX_ENTRIES) {
      await this.sendChunk(batches.slice(i, i + MAX_ENTRIES), options.delaySeconds);
    }
  }

  private async sendChunk(batches: SendBatch[], delaySeconds?: number): Promise<void> {
    let entries = batches.map((b, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(b),
      ...(delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))) } : {}),
    }));
    let lastReason = '';
    for (let attempt = 1; entries.length > 0; attempt++) {
      if (attempt > this.attempts) {
        throw new StoreError(
          `${this.description}: ${entries.length} of ${batches.length} batches not accepted after ${this.attempts} attempts (${lastReason})`,
        );
      }
      if (attempt > 1) await this.sleep(Math.min(10_000, 200 * 2 ** (attempt - 2)));
      try {
        const answer = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
        );
        const failed = new Set((answer.Failed ?? []).map((f) => f.Id));
        lastReason = (answer.Failed ?? []).map((f) => `${f.Code}: ${f.Message ?? ''}`).join('; ');
        entries = entries.filter((e) => failed.has(e.Id));
      } catch (cause) {
        lastReason = (cause as Error).message;
      }
    }
  }

  async pending(): Promise<number> {
    const answer = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const a = answer.Attributes ?? {};
    return (
      Number(a.ApproximateNumberOfMessages ?? 0) +
      Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }
}
