/**
 * Is the store reachable? The file store: its folder can be written (a probe file made and removed), or, if it
 * does not exist yet, the nearest folder above it can, so the first run can make it; nothing is left behind.
 * DynamoDB: DescribeTable says the table exists and is ACTIVE (endpoint from AWS_ENDPOINT_URL_DYNAMODB).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StoreProbe } from '../ports';
import { oneAttempt } from './aws';

export class FileStoreProbe implements StoreProbe {
  constructor(private readonly dir: string) {}

  async reach(): Promise<string> {
    const info = await stat(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      let parent = path.dirname(this.dir);
      while (
        !(await stat(parent).then(
          () => true,
          () => false,
        )) &&
        parent !== path.dirname(parent)
      ) {
        parent = path.dirname(parent);
      }
      await access(parent, constants.W_OK);
      return `${this.dir} does not exist yet; ${parent} is writable, so the first run makes it`;
    }
    if (!info.isDirectory()) {
      throw Object.assign(new Error(`${this.dir} is a file, not a folder`), { code: 'ENOTDIR' });
    }
    const probe = path.join(this.dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'doctor', { flag: 'wx' });
    await rm(probe, { force: true });
    return `${this.dir} is writable (a file written and removed)`;
  }
}

export class DynamoTableProbe implements StoreProbe {
  private readonly client: DynamoDBClient;

  constructor(
    private readonly table: string,
    options: { timeoutMs: number; client?: DynamoDBClient },
  ) {
    this.client = options.client ?? new DynamoDBClient(oneAttempt(options.timeoutMs));
  }

  async reach(signal: AbortSignal): Promise<string> {
    const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.table }), {
      abortSignal: signal as never,
    });
    if (Table?.TableStatus !== 'ACTIVE') {
      throw new Error(`the table is ${Table?.TableStatus ?? 'in an unknown state'}, not ACTIVE`);
    }
    return `DynamoDB table ${this.table} is ACTIVE (${(Table.ItemCount ?? 0).toLocaleString('en')} items, as of its last count)`;
  }
}
