import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { describeStoreContract } from '../../contract/store-contract';

const AT = '2026-11-23T00:00:00.000Z';
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'pd-store-'));

describeStoreContract(
  'FileStore',
  async () => {
    const dir = tempDir();
    return { store: new FileStore(dir), reopen: () => new FileStore(dir) };
  },
  { crossProcessClaims: false },
);

describe('FileStore', () => {
  it('reads a ledger whose last line was torn by a kill, losing nothing before it', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.claimDelivery(1, 'a', AT);
    await store.completeDelivery({ issue: 1, subscriberId: 'a', state: 'sent', at: AT, messageId: 'm1' });
    appendFileSync(path.join(dir, 'deliveries', '000001.jsonl'), '{"issue":1,"subscriberId":"b","sta');
    const reopened = new FileStore(dir);
    expect((await reopened.getDelivery(1, 'a'))?.state).toBe('sent');
    expect(await reopened.getDelivery(1, 'b')).toBeUndefined();
    expect(await reopened.claimDelivery(1, 'b', AT)).toBe('claimed');
    expect((await new FileStore(dir).getDelivery(1, 'b'))?.state).toBe('claimed');
  });

  it('writes files atomically: no temp files left, every file parses', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    for (let i = 0; i < 20; i++) await store.addSubscriber({ email: `x${i}@example.com`, status: 'active' }, AT);
    await store.putMemo('k', 'v');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(dir, 'subscribers.json'), 'utf8')).subscribers).toHaveLength(20);
    expect(await new FileStore(dir).getMemo('k')).toBe('v');
  });

  it('holds a lock against other live holders and takes over a dead holder’s lock', async () => {
    const dir = tempDir();
    const release = await new FileStore(dir).lock('send');
    await expect(new FileStore(dir).lock('send')).rejects.toThrow(/another run \(pid \d+\)/);
    await release();
    const again = await new FileStore(dir).lock('send');
    await again();
    // A lock file left by a process that no longer exists.
    mkdirSync(path.join(dir, 'locks'), { recursive: true });
    writeFileSync(path.join(dir, 'locks', 'send.lock'), '2147483646');
    const taken = await new FileStore(dir).lock('send');
    await taken();
  });

  it('names the broken file when state is corrupt', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'issues'), { recursive: true });
    writeFileSync(path.join(dir, 'issues', '000001.json'), '{"issue": 1, "sta');
    await expect(new FileStore(dir).history()).rejects.toThrow(/000001\.json is not valid JSON/);
  });
});
