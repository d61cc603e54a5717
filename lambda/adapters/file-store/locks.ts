/** Locks in the file store: locks/NAME.lock, exclusive, the holder's pid inside; a dead holder's lock is taken over. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../../core/errors';
import { sleep } from '../../core/retry';
import type { Locks, Release } from '../../ports/store';
import { createFileExclusive, readFileIfExists } from '../fs-util';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileLocks implements Locks {
  constructor(private readonly stateDir: string) {}

  /** `waitMs`: how long to wait for a live holder to let go (default: not at all). */
  async lock(name: string, waitMs = 0): Promise<Release> {
    const file = path.join(this.stateDir, 'locks', `${name}.lock`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await createFileExclusive(file, String(process.pid))) {
        return async () => {
          await fs.rm(file, { force: true });
        };
      }
      const holder = Number(await readFileIfExists(file));
      if (holder && !isAlive(holder)) {
        // The holder died (kill -9, crash): its lock is stale.
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StoreError(
          `another run (pid ${holder || 'unknown'}) is using ${this.stateDir} for "${name}"; wait for it to finish`,
        );
      }
      await sleep(50);
    }
  }
}
