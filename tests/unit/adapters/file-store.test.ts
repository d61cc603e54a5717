import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import type { Delivery } from '../../../lambda/core/model';
import { newSubscriberId } from '../../../lambda/core/tokens';
import { describeIssueStoreContract } from '../../contract/issue-store-contract';
import { describeLedgerContract } from '../../contract/ledger-contract';
import { describeLocksContract } from '../../contract/locks-contract';
import { describeMemosContract } from '../../contract/memos-contract';
import { describeSubscriberStoreContract } from '../../contract/subscriber-store-contract';

const AT = '2026-11-23T00:00:00.000Z';
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'pd-store-'));

/** A fresh directory; `reopen` is another process on it. */
const fresh = async () => {
  const dir = tempDir();
  return { store: new FileStore(dir), reopen: () => new FileStore(dir) };
};

describeIssueStoreContract('FileStore', fresh);
describeSubscriberStoreContract('FileStore', fresh);
describeLedgerContract('FileStore', fresh, { crossProcessClaims: false });
describeMemosContract('FileStore', fresh);
describeLocksContract('FileStore', fresh);

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
    const lines = readFileSync(path.join(dir, 'subscribers.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).email)).toHaveLength(20);
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

  it('keeps paging correctly when a status change rewrites the list mid-way', async () => {
    const store = new FileStore(tempDir());
    await store.addSubscribers(
      Array.from({ length: 30 }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
      AT,
    );
    const seen: string[] = [];
    let page = await store.listSubscribers({ status: 'active', limit: 10 });
    seen.push(...page.items.map((s) => s.email));
    // Lines before the cursor grow longer ("unsubscribed"), so every later offset moves.
    for (const s of page.items.slice(0, 5)) await store.setSubscriberStatus(s.id, 'unsubscribed', AT);
    while (page.cursor) {
      page = await store.listSubscribers({ status: 'active', cursor: page.cursor, limit: 10 });
      seen.push(...page.items.map((s) => s.email));
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}@example.com`));
  });

  it('ignores a subscriber line torn by a kill during an append, and appends after it cleanly', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.addSubscriber({ email: 'a@example.com', status: 'active' }, AT);
    appendFileSync(path.join(dir, 'subscribers.jsonl'), '{"id":"torn","email":"b@exa');
    await store.addSubscriber({ email: 'c@example.com', status: 'active' }, AT);
    const { items } = await new FileStore(dir).listSubscribers({ limit: 10 });
    expect(items.map((s) => s.email)).toEqual(['a@example.com', 'c@example.com']);
  });

  it('finds each recipient’s latest ledger entry where it was written, and by a scan if the file moved', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    // Ids as the store makes them and ids of any other shape; claims and outcomes written concurrently.
    const ids = [...Array.from({ length: 40 }, newSubscriberId), 'a', 'someone-else', 'é'];
    const outcome = (id: string, i: number): Delivery =>
      i % 3 === 0
        ? { issue: 1, subscriberId: id, state: 'claimed', at: AT }
        : i % 3 === 1
          ? { issue: 1, subscriberId: id, state: 'sent', at: `${AT.slice(0, 20)}${i}Z`, messageId: `<m${i}@x>` }
          : { issue: 1, subscriberId: id, state: 'refused', at: AT, reason: `bounced ✗ ${i}` };
    await Promise.all(
      ids.map(async (id, i) => {
        expect(await store.claimDelivery(1, id, AT)).toBe('claimed');
        const o = outcome(id, i);
        if (o.state !== 'claimed') await store.completeDelivery(o);
      }),
    );
    const file = path.join(dir, 'deliveries', '000001.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const expected = ids.map(outcome);
    // Every claim and every outcome is a whole line of its own.
    expect(lines.map((l) => JSON.parse(l))).toHaveLength(
      ids.length + expected.filter((d) => d.state !== 'claimed').length,
    );
    expect(await Promise.all(ids.map((id) => store.getDelivery(1, id)))).toEqual(expected);
    expect(await Promise.all(ids.map((id) => new FileStore(dir).getDelivery(1, id)))).toEqual(expected);
    // Bytes this instance did not write moved every line: what it remembers is wrong, and it notices.
    writeFileSync(file, `\n\n\n${readFileSync(file, 'utf8')}`);
    expect(await Promise.all(ids.map((id) => store.getDelivery(1, id)))).toEqual(expected);
    expect(await store.getDelivery(1, newSubscriberId())).toBeUndefined();
    expect(await store.countDeliveries(1)).toEqual({ claimed: 15, sent: 14, refused: 14, omitted: 0 });
  });

  it('reads a listed subscriber again from the file, after another process changed it or moved it', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.addSubscribers(
      Array.from({ length: 2000 }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
      AT,
    );
    const { items } = await store.listSubscribers({ status: 'active', limit: 500 });
    const [first, third, late] = [items[0], items[2], items[400]];
    if (!first || !third || !late) throw new Error('listing came back short');
    expect(await store.getSubscriber(late.id)).toEqual(late);
    // Another process unsubscribes two early readers: the file is rewritten and later lines move.
    const other = new FileStore(dir);
    await other.setSubscriberStatus(first.id, 'unsubscribed', '2026-11-24T00:00:00.000Z');
    await other.setSubscriberStatus(third.id, 'unsubscribed', '2026-11-24T00:00:00.000Z');
    expect(await store.getSubscriber(third.id)).toMatchObject({ id: third.id, status: 'unsubscribed' });
    expect(await store.getSubscriber(late.id)).toEqual(late);
    // Never listed by this instance: found by a scan.
    const never = (await other.findSubscriber('r1999@example.com'))?.id ?? '';
    expect(await store.getSubscriber(never)).toMatchObject({ email: 'r1999@example.com' });
    expect(await store.getSubscriber('nobody')).toBeUndefined();
  });

  it('names the broken file when state is corrupt', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'issues'), { recursive: true });
    writeFileSync(path.join(dir, 'issues', '000001.json'), '{"issue": 1, "sta');
    await expect(new FileStore(dir).history()).rejects.toThrow(/000001\.json is not valid JSON/);
  });
});
