/** Memos on the table: MEMO / <key>, the text in `value`, with the table's TTL when given an expiry. */
import type { Memos } from '../../ports/store';
import { type DynamoTable, expiry } from './table';

export class DynamoDbMemos implements Memos {
  constructor(private readonly table: DynamoTable) {}

  async getMemo(key: string): Promise<string | undefined> {
    return (await this.table.get('MEMO', key))?.value as string | undefined;
  }

  async putMemo(key: string, value: string, expiresAt?: number): Promise<void> {
    await this.table.putIf({ pk: 'MEMO', sk: key, value, ...expiry(expiresAt) });
  }
}
