/**
 * The local store: plain files under one directory (`--state`, default `.digest/`), one part per port.
 *   subscribers.jsonl          one subscriber a line, read page by page            file-store/subscribers.ts
 *   issues/000001.json         one issue record each, rewritten atomically         file-store/issues.ts
 *   deliveries/000001.jsonl    the per-recipient ledger, append-only; a torn last line after a kill is ignored
 *                                                                                  file-store/ledger.ts
 *   memo.json                  small values jobs and sources keep between runs     file-store/memos.ts
 *   locks/NAME.lock            exclusive job locks (pid inside; a dead holder's lock is taken over)
 *                                                                                  file-store/locks.ts
 */
import { ComposedStore } from '../ports/composed-store';
import type { Release } from '../ports/store';
import { FileIssues } from './file-store/issues';
import { FileLedger } from './file-store/ledger';
import { FileLocks } from './file-store/locks';
import { FileMemos } from './file-store/memos';
import { FileSubscribers } from './file-store/subscribers';

interface FileStoreParts {
  issues: FileIssues;
  subscribers: FileSubscribers;
  ledger: FileLedger;
  memos: FileMemos;
  locks: FileLocks;
}

export class FileStore extends ComposedStore<FileStoreParts> {
  constructor(dir: string) {
    const locks = new FileLocks(dir);
    super(`file store ${dir}`, {
      issues: new FileIssues(dir),
      // A rewrite of the subscriber file holds the "subscribers" lock, waiting a while for another writer.
      subscribers: new FileSubscribers(dir, (name, waitMs) => locks.lock(name, waitMs)),
      ledger: new FileLedger(dir),
      memos: new FileMemos(dir),
      locks,
    });
  }

  /** `waitMs`: how long to wait for a live holder (the subscriber file's writers wait; jobs do not). */
  override lock(name: string, waitMs = 0): Promise<Release> {
    return this.parts.locks.lock(name, waitMs);
  }
}
