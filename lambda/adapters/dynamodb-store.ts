/**
 * The Store on one DynamoDB table (`pk`, `sk`, both strings), with conditional single-item writes only
 * (no TransactWriteItems: dynalite lacks it, and none is needed). Items:
 *   SUBSCRIBERS  / S#<id>          a subscriber
 *   EMAIL#<addr> / EMAIL           address → id (makes addresses unique; written before the subscriber)
 *   ISSUES       / I#<000001>      an issue: status, watermark, links, subject, linkCount; the rendered body as JSON
 *   D#<issue>    / <subscriberId>  a delivery ledger entry
 *   MEMO         / <key>           small values sources keep
 *   LOCK         / <name>          a lease, renewed while held
 * The endpoint comes from the SDK's own environment (AWS_ENDPOINT_URL_DYNAMODB).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../core/errors';
import type { Delivery, IssueRecord, IssueStatus, Subscriber, SubscriberStatus } from '../core/model';
import { backoffDelay, type RetryPolicy, sleep } from '../core/retry';
import { newSubscriberId } from '../core/tokens';
import type {
  AddResult,
  ClaimResult,
  History,
  IssueSummary,
  NewSubscriber,
  Release,
  Store,
  SubscriberPage,
} from '../ports/store';
import { TABLE_SCHEMA } from './dynamodb-schema';

export interface DynamoDbStoreOptions {
  table: string;
  client?: DynamoDBClient;
  /** A claim older than this is from a run that died; it may be claimed again. Longer than one send. */
  claimTtlMs?: number;
  /** How long a lock lasts without renewal (renewed every third of it while held). */
  lockLeaseMs?: number;
}

const pad = (n: number) => String(n).padStart(6, '0');
const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException';

type Item = Record<string, unknown>;

function toSubscriber(item: Item): Subscriber {
  return {
    id: item.id as string,
    email: item.email as string,
    ...(item.name ? { name: item.name as string } : {}),
    status: item.status as SubscriberStatus,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.source ? { source: item.source as string } : {}),
  };
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined) =>
  cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

const DAY = 86_400;

/** The table's TTL attribute (epoch seconds), set only when there is an expiry. */
const expiry = (at: number | undefined): Item => (at === undefined ? {} : { [TABLE_SCHEMA.timeToLive]: Math.ceil(at) });

/** BatchGetItem takes at most 100 keys; unprocessed ones are asked again, 100 ms doubling, 6 tries in all. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1600, jitter: 0 };

export class DynamoDbStore implements Store {
  readonly description: string;
  private readonly doc: DynamoDBDocumentClient;
  private readonly raw: DynamoDBClient;
  private readonly table: string;
  private readonly claimTtlMs: number;
  private readonly lockLeaseMs: number;

  constructor(options: DynamoDbStoreOptions) {
    this.table = options.table;
    this.raw = options.client ?? new DynamoDBClient({});
    this.doc = DynamoDBDocumentClient.from(this.raw, { marshallOptions: { removeUndefinedValues: true } });
    this.claimTtlMs = options.claimTtlMs ?? 10 * 60_000;
    this.lockLeaseMs = options.lockLeaseMs ?? 60_000;
    this.description = `DynamoDB table ${options.table}`;
  }

  /** Creates the table (for local runs and tests; on AWS the Data stack owns it). */
  async createTable(): Promise<void> {
    await this.raw.send(
      new CreateTableCommand({
        TableName: this.table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (isConditionFailure(cause)) throw cause;
      throw new StoreError(`DynamoDB ${what} on ${this.table} failed: ${(cause as Error).message}`, { cause });
    }
  }

  private get(pk: string, sk: string, consistent = true): Promise<Item | undefined> {
    return this.call('GetItem', async () => {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: consistent }),
      );
      return out.Item;
    });
  }

  /** Conditional put: false when the condition failed. */
  private async putIf(item: Item, condition?: string, values?: Item, names?: Record<string, string>): Promise<boolean> {
    try {
      await this.call('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ...(condition ? { ConditionExpression: condition } : {}),
            ...(values ? { ExpressionAttributeValues: values } : {}),
            ...(names ? { ExpressionAttributeNames: names } : {}),
          }),
        ),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** One Query page of a partition. */
  private query(pk: string, params: Omit<QueryCommandInput, 'TableName' | 'KeyConditionExpression'>) {
    return this.call('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ...params,
          ExpressionAttributeValues: { ':pk': pk, ...params.ExpressionAttributeValues },
        }),
      ),
    );
  }

  /** Conditional delete: false when the condition failed. */
  private async deleteIf(
    key: { pk: string; sk: string },
    condition: string,
    names: Record<string, string>,
    values: Item,
  ) {
    try {
      await this.call('DeleteItem', () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: key,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  private async queryAll(
    pk: string,
    projection?: { expression: string; names: Record<string, string> },
  ): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await this.query(pk, {
        ConsistentRead: true,
        ExclusiveStartKey: start,
        ...(projection
          ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }
          : {}),
      });
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  // ---- issues -------------------------------------------------------------------------------------

  async history(): Promise<History> {
    const items = await this.queryAll('ISSUES', {
      expression: '#i, #s, watermark, links, composedAt, sentAt',
      names: { '#i': 'issue', '#s': 'status' },
    });
    const sentLinks = new Set<string>();
    let lastSent: History['lastSent'];
    let unfinishedNumber: number | undefined;
    let nextIssue = 1;
    for (const item of items.sort((a, b) => (a.issue as number) - (b.issue as number))) {
      const issue = item.issue as number;
      nextIssue = Math.max(nextIssue, issue + 1);
      if (item.status === 'sent') {
        for (const link of (item.links as string[] | undefined) ?? []) sentLinks.add(link);
        lastSent = { issue, watermark: item.watermark as string, sentAt: (item.sentAt ?? item.composedAt) as string };
      } else {
        unfinishedNumber ??= issue;
      }
    }
    const unfinished = unfinishedNumber === undefined ? undefined : await this.getIssue(unfinishedNumber);
    return { nextIssue, lastSent, sentLinks, unfinished };
  }

  async createIssue(record: IssueRecord): Promise<void> {
    const { model, rendered, placeholder, status, watermark, links, composedAt, issue } = record;
    const created = await this.putIf(
      {
        pk: 'ISSUES',
        sk: `I#${pad(issue)}`,
        issue,
        status,
        watermark,
        links,
        composedAt,
        // For `issues list`, which reads these without the body.
        subject: model.subject,
        linkCount: model.bookmarkCount,
        body: JSON.stringify({ model, rendered, placeholder }),
      },
      'attribute_not_exists(pk)',
    );
    if (!created) throw new StoreError(`issue ${issue} already exists in ${this.table}`);
  }

  async getIssue(issue: number): Promise<IssueRecord | undefined> {
    const item = await this.get('ISSUES', `I#${pad(issue)}`);
    if (!item) return undefined;
    const body = JSON.parse(item.body as string) as Pick<IssueRecord, 'model' | 'rendered' | 'placeholder'>;
    return {
      issue: item.issue as number,
      status: item.status as IssueStatus,
      model: body.model,
      rendered: body.rendered,
      placeholder: body.placeholder,
      watermark: item.watermark as string,
      links: (item.links as string[] | undefined) ?? [],
      composedAt: item.composedAt as string,
      ...(item.sentAt ? { sentAt: item.sentAt as string } : {}),
    };
  }

  /** Projects only the summary; issues stored before `subject` and `linkCount` existed are read whole. */
  async listIssues(): Promise<IssueSummary[]> {
    const items = await this.queryAll('ISSUES', {
      expression: '#i, #s, subject, linkCount, composedAt, sentAt',
      names: { '#i': 'issue', '#s': 'status' },
    });
    const summaries: IssueSummary[] = [];
    for (const item of items.sort((a, b) => (a.issue as number) - (b.issue as number))) {
      let { subject, linkCount } = item as { subject?: string; linkCount?: number };
      if (subject === undefined || linkCount === undefined) {
        const model = (await this.getIssue(item.issue as number))?.model;
        subject ??= model?.subject ?? '';
        linkCount ??= model?.bookmarkCount ?? 0;
      }
      summaries.push({
        issue: item.issue as number,
        status: item.status as IssueStatus,
        subject,
        bookmarkCount: linkCount,
        composedAt: item.composedAt as string,
        ...(item.sentAt ? { sentAt: item.sentAt as string } : {}),
      });
    }
    return summaries;
  }

  async advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string): Promise<boolean> {
    try {
      await this.call('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: 'ISSUES', sk: `I#${pad(issue)}` },
            UpdateExpression: to === 'sent' ? 'SET #s = :to, sentAt = :at' : 'SET #s = :to',
            ConditionExpression: 'attribute_exists(pk) AND #s = :from',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':to': to, ':from': from, ...(to === 'sent' ? { ':at': at } : {}) },
          }),
        ),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  // ---- subscribers --------------------------------------------------------------------------------

  async addSubscriber(input: NewSubscriber, at: string): Promise<AddResult> {
    const emailKey = `EMAIL#${input.email.toLowerCase()}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const index = await this.get(emailKey, 'EMAIL');
      if (index) {
        const existing = await this.getSubscriber(index.id as string);
        if (existing) return { subscriber: existing, created: false };
        // The address was claimed by an add that stopped before writing the subscriber: finish it.
        const repaired = this.newSubscriber(index.id as string, input, at);
        await this.putIf({ pk: 'SUBSCRIBERS', sk: `S#${repaired.id}`, ...repaired }, 'attribute_not_exists(pk)');
        return { subscriber: (await this.getSubscriber(repaired.id)) ?? repaired, created: true };
      }
      const subscriber = this.newSubscriber(newSubscriberId(), input, at);
      if (await this.putIf({ pk: emailKey, sk: 'EMAIL', id: subscriber.id }, 'attribute_not_exists(pk)')) {
        await this.putIf({ pk: 'SUBSCRIBERS', sk: `S#${subscriber.id}`, ...subscriber });
        return { subscriber, created: true };
      }
      // Another writer took the address a moment ago: read theirs.
    }
    throw new StoreError(`could not add ${input.email}: the address kept changing under concurrent writes`);
  }

  private newSubscriber(id: string, input: NewSubscriber, at: string): Subscriber {
    return {
      id,
      email: input.email,
      ...(input.name ? { name: input.name } : {}),
      status: input.status,
      createdAt: input.createdAt ?? at,
      updatedAt: at,
      ...(input.source ? { source: input.source } : {}),
    };
  }

  async addSubscribers(inputs: NewSubscriber[], at: string): Promise<AddResult[]> {
    const results: AddResult[] = new Array(inputs.length);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const i = next++;
        results[i] = await this.addSubscriber(inputs[i] as NewSubscriber, at);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return results;
  }

  async findSubscriber(email: string): Promise<Subscriber | undefined> {
    const index = await this.get(`EMAIL#${email.toLowerCase()}`, 'EMAIL');
    return index ? this.getSubscriber(index.id as string) : undefined;
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const item = await this.get('SUBSCRIBERS', `S#${id}`);
    return item ? toSubscriber(item) : undefined;
  }

  /**
   * BatchGetItem, 100 keys a call, strongly consistent (a send must see an unsubscribe that just happened).
   * Keys DynamoDB leaves unprocessed (throttling) are asked again with a growing pause; still unprocessed
   * after that, the read fails rather than treat those subscribers as gone.
   */
  async getSubscribers(ids: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    const items = await this.batchGet([...new Set(ids)].map((id) => ({ pk: 'SUBSCRIBERS', sk: `S#${id}` })));
    for (const item of items) {
      const subscriber = toSubscriber(item);
      found.set(subscriber.id, subscriber);
    }
    return found;
  }

  /**
   * BatchGetItem, consistent, 100 keys a call; keys DynamoDB leaves unprocessed (throttling, the 16 MB answer
   * limit) are asked again with backoff.
   */
  private async batchGet(allKeys: Item[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < allKeys.length; i += BATCH_GET_LIMIT) {
      let keys = allKeys.slice(i, i + BATCH_GET_LIMIT);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === BATCH_GET_RETRY.attempts) {
          throw new StoreError(`DynamoDB BatchGetItem on ${this.table}: ${keys.length} keys still unprocessed`);
        }
        if (attempt > 0) await sleep(backoffDelay(BATCH_GET_RETRY, attempt - 1));
        const out = await this.call('BatchGetItem', () =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } })),
        );
        items.push(...((out.Responses?.[this.table] ?? []) as Item[]));
        keys = (out.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined) ?? [];
      }
    }
    return items;
  }

  async setSubscriberStatus(id: string, status: SubscriberStatus, at: string): Promise<Subscriber | undefined> {
    try {
      const out = await this.call('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: 'SUBSCRIBERS', sk: `S#${id}` },
            UpdateExpression: 'SET #s = :s, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': status, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out.Attributes ? toSubscriber(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  /** One DynamoDB page at a time, asking only for what is still missing, so the cursor never skips. */
  async listSubscribers(options: {
    status?: SubscriberStatus;
    cursor?: string;
    limit: number;
  }): Promise<SubscriberPage> {
    const items: Subscriber[] = [];
    let start = decodeCursor(options.cursor);
    do {
      const out: QueryCommandOutput = await this.query('SUBSCRIBERS', {
        ...(options.status
          ? {
              FilterExpression: '#s = :s',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': options.status },
            }
          : {}),
        Limit: options.limit - items.length,
        ExclusiveStartKey: start,
      });
      items.push(...(out.Items ?? []).map((i) => toSubscriber(i as Item)));
      start = out.LastEvaluatedKey;
    } while (start && items.length < options.limit);
    return { items, ...(start ? { cursor: encodeCursor(start) } : {}) };
  }

  // ---- delivery ledger ----------------------------------------------------------------------------

  async getDelivery(issue: number, subscriberId: string): Promise<Delivery | undefined> {
    const item = await this.get(`D#${issue}`, subscriberId);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as unknown as Delivery;
  }

  async getDeliveries(issue: number, subscriberIds: string[]): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    const items = await this.batchGet([...new Set(subscriberIds)].map((id) => ({ pk: `D#${issue}`, sk: id })));
    for (const { pk: _pk, sk, ...rest } of items) found.set(String(sk), rest as unknown as Delivery);
    return found;
  }

  /** A conditional put: nobody has it, or the claim on it is older than `claimTtlMs` (its run died). */
  async claimDelivery(issue: number, subscriberId: string, at: string): Promise<ClaimResult> {
    const stale = new Date(Date.parse(at) - this.claimTtlMs).toISOString();
    const claimed = await this.putIf(
      { pk: `D#${issue}`, sk: subscriberId, issue, subscriberId, state: 'claimed', at },
      'attribute_not_exists(pk) OR (#st = :claimed AND #at < :stale)',
      { ':claimed': 'claimed', ':stale': stale },
      { '#st': 'state', '#at': 'at' },
    );
    if (claimed) return 'claimed';
    const current = await this.getDelivery(issue, subscriberId);
    return current && current.state !== 'claimed' ? 'done' : 'busy';
  }

  async releaseClaim(issue: number, subscriberId: string): Promise<void> {
    await this.deleteIf(
      { pk: `D#${issue}`, sk: subscriberId },
      '#st = :claimed',
      { '#st': 'state' },
      { ':claimed': 'claimed' },
    );
  }

  async completeDelivery(delivery: Delivery): Promise<void> {
    await this.putIf({ pk: `D#${delivery.issue}`, sk: delivery.subscriberId, ...delivery });
  }

  async countDeliveries(issue: number): Promise<Record<Delivery['state'], number>> {
    const counts = { claimed: 0, sent: 0, refused: 0 };
    const items = await this.queryAll(`D#${issue}`, { expression: '#st', names: { '#st': 'state' } });
    for (const item of items) counts[item.state as Delivery['state']]++;
    return counts;
  }

  // ---- memos and locks ----------------------------------------------------------------------------

  async getMemo(key: string): Promise<string | undefined> {
    return (await this.get('MEMO', key))?.value as string | undefined;
  }

  async putMemo(key: string, value: string, expiresAt?: number): Promise<void> {
    await this.putIf({ pk: 'MEMO', sk: key, value, ...expiry(expiresAt) });
  }

  /** A lease: taken if free or expired, renewed while held, released by its owner only. */
  async lock(name: string): Promise<Release> {
    const owner = randomUUID();
    const take = () =>
      this.putIf(
        // A lease left by a run that died is taken over by the next; TTL clears one nobody takes after a day.
        { pk: 'LOCK', sk: name, owner, expiresAt: Date.now() + this.lockLeaseMs, ...expiry(Date.now() / 1000 + DAY) },
        'attribute_not_exists(pk) OR expiresAt < :now OR #o = :me',
        { ':now': Date.now(), ':me': owner },
        { '#o': 'owner' },
      );
    if (!(await take())) {
      const holder = await this.get('LOCK', name);
      const until = new Date(Number(holder?.expiresAt ?? 0)).toISOString();
      throw new StoreError(`another run holds the "${name}" lock on ${this.table} (until ${until} unless renewed)`);
    }
    const renew = setInterval(() => void take().catch(() => {}), this.lockLeaseMs / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await this.deleteIf({ pk: 'LOCK', sk: name }, '#o = :me', { '#o': 'owner' }, { ':me': owner });
    };
  }
}
