/**
 * The table grants are built from STORE_CALLS (infra/table-access.ts): here the DynamoDB adapter itself runs
 * every Store method against a recording client, once where everything succeeds and the table is empty, once
 * where every condition fails and every read finds something, and the calls it makes must be exactly those
 * listed. A new call in the adapter fails this test before it fails a deployed function with AccessDenied.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FUNCTION_STORE_METHODS, STORE_CALLS, type StoreMethod, TABLE_ACCESS } from '../../infra/table-access';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import type { IssueRecord } from '../../lambda/core/model';

type Mode = 'empty' | 'taken';

const ITEM = {
  pk: 'X',
  sk: 'Y',
  id: 's1',
  email: 'a@example.com',
  status: 'composed',
  issue: 1,
  watermark: '2026-01-01T00:00:00.000Z',
  composedAt: '2026-01-01T00:00:00.000Z',
  links: [],
  body: JSON.stringify({ model: { subject: 'S', bookmarkCount: 1 }, rendered: {}, placeholder: 'p' }),
  state: 'claimed',
  value: 'v',
  owner: 'someone else',
  expiresAt: Date.now() + 60_000,
};

/** A client that answers from nothing (`empty`) or as if every item existed and every condition failed (`taken`). */
function recordingStore(mode: Mode) {
  const calls = new Set<string>();
  const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      calls.add(`dynamodb:${command}`);
      const conditional = ['PutItem', 'UpdateItem', 'DeleteItem'].includes(command);
      if (mode === 'taken' && conditional && (args.input as { ConditionExpression?: string }).ConditionExpression) {
        throw new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });
      }
      const answers: Record<string, unknown> = {
        GetItem: mode === 'taken' ? { Item: ITEM } : {},
        Query: mode === 'taken' ? { Items: [{ ...ITEM, subject: undefined }] } : { Items: [] },
        BatchGetItem: { Responses: {} },
        UpdateItem: mode === 'taken' ? { Attributes: ITEM } : {},
      };
      return { output: { $metadata: {}, ...(answers[command] as object) } as never, response: {} };
    },
    { step: 'initialize', name: 'recorder' },
  );
  return { store: new DynamoDbStore({ table: 't', client }), calls };
}

const record = { issue: 1, status: 'composed', model: { subject: 'S', bookmarkCount: 1 } } as unknown as IssueRecord;
const run: Record<StoreMethod, (s: DynamoDbStore) => Promise<unknown>> = {
  history: (s) => s.history(),
  listIssues: (s) => s.listIssues(),
  createIssue: (s) => s.createIssue(record),
  getIssue: (s) => s.getIssue(1),
  advanceIssue: (s) => s.advanceIssue(1, 'composed', 'sending', '2026-01-01T00:00:00.000Z'),
  addSubscriber: (s) => s.addSubscriber({ email: 'a@example.com', status: 'pending' }, '2026-01-01T00:00:00.000Z'),
  addSubscribers: (s) => s.addSubscribers([{ email: 'a@example.com', status: 'pending' }], '2026-01-01T00:00:00Z'),
  findSubscriber: (s) => s.findSubscriber('a@example.com'),
  getSubscriber: (s) => s.getSubscriber('s1'),
  getSubscribers: (s) => s.getSubscribers(['s1', 's2']),
  setSubscriberStatus: (s) => s.setSubscriberStatus('s1', 'active', '2026-01-01T00:00:00.000Z'),
  setSubscriberPrefs: (s) => s.setSubscriberPrefs('s1', { sections: ['Web'] }),
  listSubscribers: (s) => s.listSubscribers({ status: 'active', limit: 10 }),
  getDelivery: (s) => s.getDelivery(1, 's1'),
  getDeliveries: (s) => s.getDeliveries(1, ['s1', 's2']),
  claimDelivery: (s) => s.claimDelivery(1, 's1', '2026-01-01T00:00:00.000Z'),
  releaseClaim: (s) => s.releaseClaim(1, 's1'),
  completeDelivery: (s) => s.completeDelivery({ issue: 1, subscriberId: 's1', state: 'sent', at: '2026-01-01' }),
  countDeliveries: (s) => s.countDeliveries(1),
  tallyShares: (s) => s.tallyShares(1),
  getMemo: (s) => s.getMemo('k'),
  putMemo: (s) => s.putMemo('k', 'v'),
  lock: async (s) => {
    const release = await s.lock('compose');
    await release();
  },
};

describe('the DynamoDB actions of each Store method', () => {
  it.each(Object.keys(run) as StoreMethod[])('%s calls exactly what STORE_CALLS lists', async (method) => {
    const seen = new Set<string>();
    for (const mode of ['empty', 'taken'] as const) {
      const { store, calls } = recordingStore(mode);
      await run[method](store).catch(() => undefined); // a refused condition may throw: its calls still count
      for (const c of calls) seen.add(c);
    }
    expect([...seen].sort()).toEqual([...STORE_CALLS[method]].sort());
  });
});

describe('TABLE_ACCESS', () => {
  it('is the union of the Store methods each function reaches, and never a bulk or stream action', () => {
    expect(TABLE_ACCESS).toEqual({
      ComposeIssue: [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      SendBatch: [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      SesEvents: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      SubscriptionApi: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
    for (const methods of Object.values(FUNCTION_STORE_METHODS)) {
      expect(methods).not.toContain('addSubscribers'); // the CLI's import only
    }
  });
});
