/**
 * One send-batch "container" for the fan-out bench: its own process (its own event loop and heap, as each
 * concurrent Lambda invocation has), the handler imported once, polling the queue as one slot of the SQS
 * event source until the queue is empty. The environment (endpoints, table, queue) comes from the parent.
 * Usage: tsx send-batch-container.ts QUEUE_URL BATCH_SIZE
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { handler } from '../../lambda/handlers/send-batch';
import { pollQueue } from '../helpers/sqs-poller';

async function main() {
  const [queueUrl, batchSize] = process.argv.slice(2);
  if (!queueUrl || !batchSize) throw new Error('usage: send-batch-container.ts QUEUE_URL BATCH_SIZE');
  const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false });
  const invocations = await pollQueue(sqs, queueUrl, Number(batchSize), handler, 100_000);
  sqs.destroy();
  process.stdout.write(`${JSON.stringify({ invocations })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
