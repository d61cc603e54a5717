import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { StoreError } from '../../../lambda/core/errors';
import type { IssueRecord } from '../../../lambda/core/model';

const AT = '2026-11-23T00:00:00.000Z';
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'pd-store-'));

function issue(n: number, status: IssueRecord['status'], links: string[], watermark: string): IssueRecord {
  return {
    issue: n,
    status,
    model: {
      issue: n,
      subject: `#${n}`,
      preheader: '',
      window: { from: AT, to: AT },
      sections: [],
      bookmarkCount: links.length,
      carriedOver: 0,
    },
    rendered: { subject: `#${n}`, preheader: '', html: '<p>x</p>', text: 'x' },
    placeholder: 'pdunsubx',
    watermark,
    links,
    composedAt: AT,
  };
}

describe('FileStore', () => {
  it('starts empty: issue 1 next, nothing sent', async () => {
    const h = await new FileStore(tempDir()).history();
    expect(h).toEqual({ nextIssue: 1, sentLinks: new Set(), lastSent: undefined, unfinished: undefined });
  });

  it('derives the watermark and sent links from sent issues only, and reports the unfinished one', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.createIssue(issue(1, 'composed', ['http://a.example'], '2026-11-10T00:00:00.000Z'));
    expect(await store.advanceIssue(1, 'composed', 'sending', AT)).toBe(true);
    expect(await store.advanceIssue(1, 'sending', 'sent', AT)).toBe(true);
    await store.createIssue(issue(2, 'composed', ['http://b.example'], '2026-11-17T00:00:00.000Z'));
    await store.advanceIssue(2, 'composed', 'sending', AT);

    const h = await new FileStore(dir).history();
    expect(h.nextIssue).toBe(3);
    expect(h.lastSent).toEqual({ issue: 1, watermark: '2026-11-10T00:00:00.000Z', sentAt: AT });
    expect([...h.sentLinks]).toEqual(['http://a.example']);
    expect(h.unfinished?.issue).toBe(2);
    expect(h.unfinished?.status).toBe('sending');
  });

  it('moves an issue only from the expected status, and never creates one twice', async () => {
    const store = new FileStore(tempDir());
    await store.createIssue(issue(1, 'composed', [], AT));
    expect(await store.advanceIssue(1, 'sending', 'sent', AT)).toBe(false);
    expect((await store.getIssue(1))?.status).toBe('composed');
    await expect(store.createIssue(issue(1, 'composed', [], AT))).rejects.toThrow(StoreError);
  });

  it('keeps the ledger: a sent recipient is never claimed again; a claim left by a crash is', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    expect(await store.claimDelivery(1, 'a', AT)).toBe(true);
    await store.completeDelivery({ issue: 1, subscriberId: 'a', state: 'sent', at: AT, messageId: 'm1' });
    expect(await store.claimDelivery(1, 'b', AT)).toBe(true);
    expect(await store.claimDelivery(1, 'c', AT)).toBe(true);
    await store.completeDelivery({ issue: 1, subscriberId: 'c', state: 'refused', at: AT, reason: 'no' });

    const reopened = new FileStore(dir);
    expect(await reopened.claimDelivery(1, 'a', AT)).toBe(false);
    expect(await reopened.claimDelivery(1, 'c', AT)).toBe(false);
    expect(await reopened.claimDelivery(1, 'b', AT)).toBe(true);
    expect(await reopened.countDeliveries(1)).toEqual({ claimed: 1, sent: 1, refused: 1 });
  });

  it('reads a ledger whose last line was torn by a kill, losing nothing before it', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.claimDelivery(1, 'a', AT);
    await store.completeDelivery({ issue: 1, subscriberId: 'a', state: 'sent', at: AT, messageId: 'm1' });
    appendFileSync(path.join(dir, 'deliveries', '000001.jsonl'), '{"issue":1,"subscriberId":"b","sta');
    const reopened = new FileStore(dir);
    expect((await reopened.getDelivery(1, 'a'))?.state).toBe('sent');
    expect(await reopened.getDelivery(1, 'b')).toBeUndefined();
    expect(await reopened.claimDelivery(1, 'b', AT)).toBe(true);
    expect((await new FileStore(dir).getDelivery(1, 'b'))?.state).toBe('claimed');
  });

  it('adds subscribers once per address, case-insensitively, and pages through them in order', async () => {
    const store = new FileStore(tempDir());
    const added = await store.addSubscribers(
      Array.from({ length: 25 }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
      AT,
    );
    expect(added.every((r) => r.created)).toBe(true);
    const again = await store.addSubscriber({ email: 'R3@EXAMPLE.com', status: 'active' }, AT);
    expect(again.created).toBe(false);
    await store.setSubscriberStatus(again.subscriber.id, 'unsubscribed', AT);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listSubscribers({ status: 'active', cursor, limit: 10 });
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((s) => s.email));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toHaveLength(24);
    expect(seen).not.toContain('r3@example.com');
    expect(new Set(added.map((r) => r.subscriber.id)).size).toBe(25);
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
