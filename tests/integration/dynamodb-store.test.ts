/** The Store contract against DynamoDbStore on dynalite (the DynamoDB API, in memory, on 127.0.0.1). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { describeStoreContract } from '../contract/store-contract';

let server: Server;
let endpoint: string;
let tables = 0;

beforeAll(async () => {
  const dynalite = require('dynalite') as (options: object) => Server;
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const client = () =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describeStoreContract(
  'DynamoDbStore on dynalite',
  async () => {
    const table = `digest-${++tables}`;
    const store = new DynamoDbStore({ table, client: client(), claimTtlMs: 120_000 });
    await store.createTable();
    return { store, reopen: () => new DynamoDbStore({ table, client: client(), claimTtlMs: 120_000 }) };
  },
  { crossProcessClaims: true },
);

describe('DynamoDbStore', () => {
  it('does not take a live claim of another run, and takes it once it is stale', async () => {
    const table = `digest-claims-${++tables}`;
    const a = new DynamoDbStore({ table, client: client(), claimTtlMs: 60_000 });
    await a.createTable();
    const b = new DynamoDbStore({ table, client: client(), claimTtlMs: 60_000 });
    expect(await a.claimDelivery(1, 's', '2026-11-23T10:00:00.000Z')).toBe('claimed');
    expect(await b.claimDelivery(1, 's', '2026-11-23T10:00:30.000Z')).toBe('busy');
    expect(await b.claimDelivery(1, 's', '2026-11-23T10:01:01.000Z')).toBe('claimed');
    await b.releaseClaim(1, 's');
    expect(await a.claimDelivery(1, 's', '2026-11-23T10:01:02.000Z')).toBe('claimed');
  });

  it('repairs an address whose subscriber was never written (an add that stopped halfway)', async () => {
    const table = `digest-repair-${++tables}`;
    const store = new DynamoDbStore({ table, client: client() });
    await store.createTable();
    const { PutCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    await DynamoDBDocumentClient.from(client()).send(
      new PutCommand({ TableName: table, Item: { pk: 'EMAIL#half@example.com', sk: 'EMAIL', id: 'abcdefghijklmnop' } }),
    );
    const { subscriber, created } = await store.addSubscriber(
      { email: 'half@example.com', status: 'active' },
      '2026-11-23T00:00:00.000Z',
    );
    expect(created).toBe(true);
    expect(subscriber.id).toBe('abcdefghijklmnop');
    expect((await store.findSubscriber('half@example.com'))?.id).toBe('abcdefghijklmnop');
  });
});
