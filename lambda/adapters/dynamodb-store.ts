/**
 * The Store on one DynamoDB table (`pk`, `sk`, both strings; ./dynamodb-schema.ts), one part per port over
 * one shared client (./dynamodb/table.ts). Items:
 *   SUBSCRIBERS  / S#<id>          a subscriber                                          dynamodb/subscribers.ts
 *   EMAIL#<addr> / EMAIL           address → id (makes addresses unique; written before the subscriber)
 *   ISSUES       / I#<000001>      an issue: status, watermark, links, subject, linkCount; the rendered body as JSON
 *                                                                                        dynamodb/issues.ts
 *   D#<issue>    / <subscriberId>  a delivery ledger entry                               dynamodb/ledger.ts
 *   MEMO         / <key>           small values jobs and sources keep                    dynamodb/memos.ts
 *   LOCK         / <name>          a lease, renewed while held                           dynamodb/locks.ts
 * The endpoint comes from the SDK's own environment (AWS_ENDPOINT_URL_DYNAMODB).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ComposedStore } from '../ports/composed-store';
import { DynamoDbIssues } from './dynamodb/issues';
import { DynamoDbLedger } from './dynamodb/ledger';
import { DynamoDbLocks } from './dynamodb/locks';
import { DynamoDbMemos } from './dynamodb/memos';
import { DynamoDbSubscribers } from './dynamodb/subscribers';
import { DynamoTable } from './dynamodb/table';

export interface DynamoDbStoreOptions {
  table: string;
  client?: DynamoDBClient;
  /** A claim older than this is from a run that died; it may be claimed again. Longer than one send. */
  claimTtlMs?: number;
  /** How long a lock lasts without renewal (renewed every third of it while held). */
  lockLeaseMs?: number;
}

interface DynamoDbStoreParts {
  issues: DynamoDbIssues;
  subscribers: DynamoDbSubscribers;
  ledger: DynamoDbLedger;
  memos: DynamoDbMemos;
  locks: DynamoDbLocks;
}

export class DynamoDbStore extends ComposedStore<DynamoDbStoreParts> {
  private readonly table: DynamoTable;

  constructor(options: DynamoDbStoreOptions) {
    const table = new DynamoTable(options.table, options.client);
    super(`DynamoDB table ${options.table}`, {
      issues: new DynamoDbIssues(table),
      subscribers: new DynamoDbSubscribers(table),
      ledger: new DynamoDbLedger(table, options.claimTtlMs ?? 10 * 60_000),
      memos: new DynamoDbMemos(table),
      locks: new DynamoDbLocks(table, options.lockLeaseMs ?? 60_000),
    });
    this.table = table;
  }

  /** Creates the table (for local runs and tests; on AWS the Data stack owns it). */
  createTable(): Promise<void> {
    return this.table.create();
  }
}
