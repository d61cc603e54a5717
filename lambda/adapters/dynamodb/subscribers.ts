/**
 * Subscribers on the table:
 *   SUBSCRIBERS  / S#<id>   a subscriber
 *   EMAIL#<addr> / EMAIL    address → id (makes addresses unique; written before the subscriber)
 */
import { StoreError } from '../../core/errors';
import type { ReaderPrefs, Subscriber, SubscriberStatus } from '../../core/model';
import { newSubscriberId } from '../../core/tokens';
import {
  type AddResult,
  type NewSubscriber,
  newSubscriberRecord,
  type SubscriberPage,
  type SubscriberStore,
} from '../../ports/store';
import type { DynamoTable, Item } from './table';

const PK = 'SUBSCRIBERS';
const sk = (id: string) => `S#${id}`;
const emailKey = (email: string) => `EMAIL#${email.toLowerCase()}`;

function toSubscriber(item: Item): Subscriber {
  return {
    id: item.id as string,
    email: item.email as string,
    ...(item.name ? { name: item.name as string } : {}),
    status: item.status as SubscriberStatus,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.source ? { source: item.source as string } : {}),
    ...(item.prefs ? { prefs: item.prefs as ReaderPrefs } : {}),
  };
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined) =>
  cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

export class DynamoDbSubscribers implements SubscriberStore {
  constructor(private readonly table: DynamoTable) {}

  async addSubscriber(input: NewSubscriber, at: string): Promise<AddResult> {
    const addressKey = emailKey(input.email);
    for (let attempt = 0; attempt < 3; attempt++) {
      const index = await this.table.get(addressKey, 'EMAIL');
      if (index) {
        const existing = await this.getSubscriber(index.id as string);
        if (existing) return { subscriber: existing, created: false };
        // The address was claimed by an add that stopped before writing the subscriber: finish it.
        const repaired = newSubscriberRecord(index.id as string, input, at);
        await this.table.putIf({ pk: PK, sk: sk(repaired.id), ...repaired }, 'attribute_not_exists(pk)');
        return { subscriber: (await this.getSubscriber(repaired.id)) ?? repaired, created: true };
      }
      const subscriber = newSubscriberRecord(newSubscriberId(), input, at);
      if (await this.table.putIf({ pk: addressKey, sk: 'EMAIL', id: subscriber.id }, 'attribute_not_exists(pk)')) {
        await this.table.putIf({ pk: PK, sk: sk(subscriber.id), ...subscriber });
        return { subscriber, created: true };
      }
      // Another writer took the address a moment ago: read theirs.
    }
    throw new StoreError(`could not add ${input.email}: the address kept changing under concurrent writes`);
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
    const index = await this.table.get(emailKey(email), 'EMAIL');
    return index ? this.getSubscriber(index.id as string) : undefined;
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const item = await this.table.get(PK, sk(id));
    return item ? toSubscriber(item) : undefined;
  }

  /** Strongly consistent (a send must see an unsubscribe that just happened), 100 keys a call. */
  async getSubscribers(ids: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    const items = await this.table.batchGet([...new Set(ids)].map((id) => ({ pk: PK, sk: sk(id) })));
    for (const item of items) {
      const subscriber = toSubscriber(item);
      found.set(subscriber.id, subscriber);
    }
    return found;
  }

  async setSubscriberStatus(id: string, status: SubscriberStatus, at: string): Promise<Subscriber | undefined> {
    const out = await this.table.updateIf({
      Key: { pk: PK, sk: sk(id) },
      UpdateExpression: 'SET #s = :s, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':at': at },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes ? toSubscriber(out.Attributes) : undefined;
  }

  async setSubscriberPrefs(id: string, prefs: ReaderPrefs | undefined): Promise<Subscriber | undefined> {
    const out = await this.table.updateIf({
      Key: { pk: PK, sk: sk(id) },
      UpdateExpression: prefs ? 'SET prefs = :p' : 'REMOVE prefs',
      ConditionExpression: 'attribute_exists(pk)',
      ...(prefs ? { ExpressionAttributeValues: { ':p': prefs } } : {}),
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes ? toSubscriber(out.Attributes) : undefined;
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
      const out = await this.table.query(PK, {
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
}
