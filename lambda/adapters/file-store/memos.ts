/** Memos in the file store: memo.json, every key and its text in one object, rewritten atomically. */
import path from 'node:path';
import type { Memos } from '../../ports/store';
import { readFileIfExists, writeFileAtomic } from '../fs-util';
import { parseJson } from './json';

export class FileMemos implements Memos {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'memo.json');
  }

  private async all(): Promise<Record<string, string>> {
    const text = await readFileIfExists(this.file);
    return text === undefined ? {} : parseJson<Record<string, string>>(text, this.file);
  }

  async getMemo(key: string): Promise<string | undefined> {
    return (await this.all())[key];
  }

  /** Expiry is not kept here: the local memos stay few (one per sign-up address, 4,096 IP buckets at most). */
  async putMemo(key: string, value: string): Promise<void> {
    const all = await this.all();
    all[key] = value;
    await writeFileAtomic(this.file, JSON.stringify(all));
  }
}
