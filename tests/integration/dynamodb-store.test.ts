/** The store contracts against DynamoDbStore on dynalite (the DynamoDB API, in memory, on 127.0.0.1). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { describeIssueStoreContract } from '../contract/issue-store-contract';
import { describeLedgerContract } from '../contract/ledger-contract';
import { describeLocksContract } from '../contract/locks-contract';
import { describeMemosContract } from '../contract/memos-contract';
import { issueRecord } from '../contract/store-contract';
import { describeSubscriberStoreContract } from '../contract/subscriber-store-contract';

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

/** A fresh table; `reopen` is another process (its own client) on it. */
const fresh = async () => {
  const table = `digest-${++tables}`;
  const store = new DynamoDbStore({ table, client: client(), claimTtlMs: 120_000 });
  await store.createTable();
  return { store, reopen: () => new DynamoDbStore({ table, client: client(), claimTtlMs: 120_000 }) };
};

describeIssueStoreContract('DynamoDbStore on dynalite', fresh);
describeSubscriberStoreContract('DynamoDbStore on dynalite', fresh);
describeLedgerContract('DynamoDbStore on dynalite', fresh, { crossProcessClaims: true });
describeMemosContract('DynamoDbStore on dynalite', fresh);
describeLocksContract('DynamoDbStore on dynalite', fresh);

describe('DynamoDbStore', () => {
  it('writes the table TTL on memos given an expiry and on locks, and none on memos without one', async () => {
    const table = `digest-ttl-${++tables}`;
    const store = new DynamoDbStore({ table, client: client() });
    await store.createTable();
    await store.putMemo('signup:ip:x', '1764000000:1', 1_764_007_200.4);
    await store.putMemo('cursors', '{}');
    const release = await store.lock('send');
    const { GetCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const doc = DynamoDBDocumentClient.from(client());
    const raw = async (pk: string, sk: string) =>
      (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
    expect(await raw('MEMO', 'signup:ip:x')).toMatchObject({ value: '1764000000:1', ttl: 1_764_007_201 });
    expect((await raw('MEMO', 'cursors'))?.ttl).toBeUndefined();
    const lock = await raw('LOCK', 'send');
    expect(lock?.ttl).toBeGreaterThan(Date.now() / 1000 + 86_000);
    expect(await store.getMemo('signup:ip:x')).toBe('1764000000:1');
    await release();
  });

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

  it('lists issues written before subject and linkCount were stored, from their body', async () => {
    const table = `digest-legacy-${++tables}`;
    const store = new DynamoDbStore({ table, client: client() });
    await store.createTable();
    const { PutCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const record = issueRecord(1, 'sent', ['http://a.example', 'http://b.example'], '2026-11-20T00:00:00.000Z');
    // The item exactly as createIssue wrote it before this change: no subject, no linkCount.
    await DynamoDBDocumentClient.from(client()).send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'ISSUES',
          sk: 'I#000001',
          issue: 1,
          status: 'sent',
          watermark: record.watermark,
          links: record.links,
          composedAt: record.composedAt,
          sentAt: '2026-11-21T00:00:00.000Z',
          body: JSON.stringify({ model: record.model, rendered: record.rendered, placeholder: record.placeholder }),
        },
      }),
    );
    await store.createIssue(issueRecord(2, 'composed', ['http://c.example'], '2026-11-22T00:00:00.000Z'));
    expect(await store.listIssues()).toEqual([
      {
        issue: 1,
        status: 'sent',
        subject: 'Digest #1',
        bookmarkCount: 2,
        composedAt: record.composedAt,
        sentAt: '2026-11-21T00:00:00.000Z',
      },
      { issue: 2, status: 'composed', subject: 'Digest #2', bookmarkCount: 1, composedAt: record.composedAt },
    ]);
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
