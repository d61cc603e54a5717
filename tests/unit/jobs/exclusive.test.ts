import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { exclusively } from '../../../lambda/jobs/exclusive';

describe('exclusively', () => {
  it('holds the lock for the work, releases it after, and releases it when the work throws', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-exclusive-')));
    const order: string[] = [];
    await expect(
      exclusively(store, 'send', async () => {
        order.push('first');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // Released despite the error: the next run gets the lock at once.
    const value = await exclusively(store, 'send', async () => {
      order.push('second');
      return 42;
    });
    expect(value).toBe(42);
    expect(order).toEqual(['first', 'second']);
  });

  it('keeps a second run out while the first holds the lock', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-exclusive-')));
    let inside = 0;
    let most = 0;
    const work = () =>
      exclusively(store, 'send', async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 30));
        inside--;
      });
    await Promise.allSettled([work(), work()]);
    expect(most).toBe(1);
  });
});
