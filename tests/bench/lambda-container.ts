/**
 * One Lambda "container" for the fan-out bench: its own process (its own event loop, heap and cold start, as
 * each concurrent invocation has), the handler imported once. The environment (endpoints, table, queue, bundle)
 * comes from the parent.
 *   tsx lambda-container.ts compose                      compose-issue, invoked once as the schedule does
 *   tsx lambda-container.ts send QUEUE_URL BATCH_SIZE    send-batch, polling the queue as one slot of the SQS
 *                                                        event source until the queue is empty
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { pollQueue } from '../helpers/sqs-poller';

async function main() {
  const [role, queueUrl, batchSize] = process.argv.slice(2);
  if (role === 'compose') {
    const { handler } = await import('../../lambda/handlers/compose-issue');
    process.stdout.write(`${JSON.stringify(await handler({ source: 'bench' }))}\n`);
    return;
  }
  if (role !== 'send' || !queueUrl || !batchSize) {
    throw new Error('usage: lambda-container.ts compose | send QUEUE_URL BATCH_SIZE');
  }
  const { handler } = await import('../../lambda/handlers/send-batch');
  const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false });
  const invocations = await pollQueue(sqs, queueUrl, Number(batchSize), handler, 100_000);
  sqs.destroy();
  process.stdout.write(`${JSON.stringify({ invocations })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
