/**
 * The one table every DynamoDB store part works on (`pk`, `sk`, both strings), and the calls they share:
 * conditional single-item writes only (no TransactWriteItems: dynalite lacks it, and none is needed), a
 * consistent read, a partition queried page by page, and BatchGetItem with its unprocessed keys asked again.
 * Any failure but a refused condition becomes a StoreError naming the call and the table.
 */
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
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../core/errors';
import { backoffDelay, type RetryPolicy, sleep } from '../../core/retry';
import { TABLE_SCHEMA } from '../dynamodb-schema';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException';

/** The table's TTL attribute (epoch seconds), set only when there is an expiry. */
export const expiry = (at: number | undefined): Item =>
  at === undefined ? {} : { [TABLE_SCHEMA.timeToLive]: Math.ceil(at) };

/** BatchGetItem takes at most 100 keys; unprocessed ones are asked again, 100 ms doubling, 6 tries in all. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1600, jitter: 0 };

export class DynamoTable {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    readonly name: string,
    private readonly raw: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Creates the table (for local runs and tests; on AWS the Data stack owns it). */
  async create(): Promise<void> {
    await this.raw.send(
      new CreateTableCommand({
        TableName: this.name,
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
      throw new StoreError(`DynamoDB ${what} on ${this.name} failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** `fn`'s answer, or undefined when its condition failed. */
  private async conditional<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(what, fn);
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  get(pk: string, sk: string, consistent = true): Promise<Item | undefined> {
    return this.call('GetItem', async () => {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: consistent }),
      );
      return out.Item;
    });
  }

  /** Conditional put: false when the condition failed. */
  async putIf(item: Item, condition?: string, values?: Item, names?: Record<string, string>): Promise<boolean> {
    const out = await this.conditional('PutItem', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.name,
          Item: item,
          ...(condition ? { ConditionExpression: condition } : {}),
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ...(names ? { ExpressionAttributeNames: names } : {}),
        }),
      ),
    );
    return out !== undefined;
  }

  /** Conditional update: its answer, or undefined when the condition failed. */
  updateIf(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | undefined> {
    return this.conditional('UpdateItem', () => this.doc.send(new UpdateCommand({ TableName: this.name, ...input })));
  }

  /** Conditional delete: false when the condition failed. */
  async deleteIf(key: Key, condition: string, names: Record<string, string>, values: Item): Promise<boolean> {
    const out = await this.conditional('DeleteItem', () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.name,
          Key: key,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return out !== undefined;
  }

  /** One Query page of a partition. */
  query(pk: string, params: Omit<QueryCommandInput, 'TableName' | 'KeyConditionExpression'>) {
    return this.call('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.name,
          KeyConditionExpression: 'pk = :pk',
          ...params,
          ExpressionAttributeValues: { ':pk': pk, ...params.ExpressionAttributeValues },
        }),
      ),
    );
  }

  /** Every item of a partition, consistent, page after page; `projection` names the attributes wanted. */
  async queryAll(pk: string, projection?: { expression: string; names: Record<string, string> }): Promise<Item[]> {
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

  /**
   * BatchGetItem, consistent, 100 keys a call; keys DynamoDB leaves unprocessed (throttling, the 16 MB answer
   * limit) are asked again with backoff; still unprocessed after that, the read fails rather than treat those
   * items as gone.
   */
  async batchGet(allKeys: Key[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < allKeys.length; i += BATCH_GET_LIMIT) {
      let keys: Item[] = allKeys.slice(i, i + BATCH_GET_LIMIT);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === BATCH_GET_RETRY.attempts) {
          throw new StoreError(`DynamoDB BatchGetItem on ${this.name}: ${keys.length} keys still unprocessed`);
        }
        if (attempt > 0) await sleep(backoffDelay(BATCH_GET_RETRY, attempt - 1));
        const out = await this.call('BatchGetItem', () =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: keys, ConsistentRead: true } } })),
        );
        items.push(...((out.Responses?.[this.name] ?? []) as Item[]));
        keys = (out.UnprocessedKeys?.[this.name]?.Keys as Item[] | undefined) ?? [];
      }
    }
    return items;
  }
}
