/**
 * Lambda's SQS event source, in small: receive up to `batchSize` records, invoke the handler, delete those it
 * did not report failed; the rest come back after the visibility timeout. Runs until the queue is empty (or
 * `maxRounds`). Used in-process by the tests and, one per child process, by the fan-out bench.
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsSendQueue } from '../../lambda/adapters/sqs-queue';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** Messages on the queue: visible, in flight and delayed (what compose-issue itself reads). */
export const queueDepth = (sqs: SQSClient, queueUrl: string): Promise<number> =>
  new SqsSendQueue({ queueUrl, client: sqs }).pending();

/** Received messages as the SQS event source hands them to a function (`Records[]`). */
export function toSqsRecords(messages: Message[], place?: { queueArn: string; region: string }): SQSRecord[] {
  return messages.map(
    (m) =>
      ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        ...(place ? { eventSourceARN: place.queueArn, awsRegion: place.region } : {}),
      }) as unknown as SQSRecord,
  );
}

/** One poller: as one concurrent invocation slot of the event source. Returns its invocation count. */
export async function pollQueue(
  sqs: SQSClient,
  queueUrl: string,
  batchSize: number,
  handler: SqsHandler,
  maxRounds = 500,
): Promise<number> {
  let invocations = 0;
  for (let round = 0; round < maxRounds; round++) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      if ((await queueDepth(sqs, queueUrl)) === 0) break;
      continue;
    }
    const records = toSqsRecords(messages);
    invocations++;
    const response = await handler({ Records: records });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId as string));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return invocations;
}
