/**
 * SendMessageBatch can answer 200 with some entries in `Failed[]`. No local SQS server produces that on cue,
 * so the fault is injected at the SDK client (its `send` replaced by a recording function): the adapter's own
 * logic, not the SDK, is what is under test here. The end-to-end path runs against fauxqs in
 * tests/integration/aws-fanout.test.ts.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsSendQueue } from '../../../lambda/adapters/sqs-queue';
import { StoreError } from '../../../lambda/core/errors';

interface Sent {
  Entries: Array<{ Id: string; MessageBody: string; DelaySeconds?: number }>;
}

function clientAnswering(answers: Array<(input: Sent) => unknown>) {
  const calls: Sent[] = [];
  const client = {
    send: async (command: { input: Sent }) => {
      calls.push(command.input);
      const answer = answers.shift() ?? (() => ({ Successful: [], Failed: [] }));
      return answer(command.input);
    },
  } as unknown as SQSClient;
  return { client, calls };
}

const batches = (n: number) => Array.from({ length: n }, (_, i) => ({ issue: 1, subscriberIds: [`s${i}`] }));
const noSleep = async () => {};

describe('SqsSendQueue', () => {
  it('sends at most 10 entries a call and sends again only the entries SQS refused', async () => {
    const { client, calls } = clientAnswering([
      (input) => ({
        Failed: [
          { Id: input.Entries[2]?.Id, Code: 'InternalError', SenderFault: false },
          { Id: input.Entries[7]?.Id, Code: 'InternalError', SenderFault: false },
        ],
      }),
      () => ({ Failed: [] }),
      () => ({ Failed: [] }),
    ]);
    const queue = new SqsSendQueue({ queueUrl: 'https://sqs.example/1/q', client, sleep: noSleep });
    await queue.enqueue(batches(13), { delaySeconds: 900 });
    expect(calls.map((c) => c.Entries.length)).toEqual([10, 2, 3]);
    const resent = calls[1]?.Entries.map((e) => JSON.parse(e.MessageBody).subscriberIds[0]);
    expect(resent).toEqual(['s2', 's7']);
    expect(calls.every((c) => c.Entries.every((e) => e.DelaySeconds === 900))).toBe(true);
    const delivered = [calls[0], calls[1], calls[2]].flatMap((c, i) =>
      (c?.Entries ?? [])
        .filter((e) => i > 0 || !['2', '7'].includes(e.Id))
        .map((e) => JSON.parse(e.MessageBody).subscriberIds[0]),
    );
    expect(new Set(delivered).size).toBe(13);
  });

  it('retries a call that threw, then gives up with a StoreError naming how many were not accepted', async () => {
    const fail = () => {
      throw new Error('socket hang up');
    };
    const { client, calls } = clientAnswering([fail, fail, fail]);
    const queue = new SqsSendQueue({ queueUrl: 'https://sqs.example/1/q', client, attempts: 3, sleep: noSleep });
    const error = await queue.enqueue(batches(4)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/4 of 4 batches not accepted after 3 attempts \(socket hang up\)/);
    expect(calls).toHaveLength(3);
  });
});
