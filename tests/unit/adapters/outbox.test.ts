import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutboxMailer, outboxFileName } from '../../../lambda/adapters/outbox';

const message = (to: string, subscriberId: string) => ({
  issue: 3,
  to,
  subscriberId,
  messageId: `<digest-3-${subscriberId}@example.com>`,
  raw: Buffer.from(`To: ${to}\r\n\r\nhello`),
});

describe('OutboxMailer', () => {
  it('writes one .eml per message, named for the issue and the recipient', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-outbox-'));
    const mailer = new OutboxMailer(dir);
    const receipt = await mailer.send(message('Ada@Example.com', 'id1'));
    expect(receipt.messageId).toBe('issue-0003-ada@example.com.eml');
    expect(readFileSync(path.join(dir, receipt.messageId), 'utf8')).toContain('hello');
  });

  it('never lets two addresses share a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-outbox-'));
    const mailer = new OutboxMailer(dir);
    await mailer.send(message('a!b@example.com', 'id1'));
    await mailer.send(message('a_b@example.com', 'id2'));
    await mailer.send(message('a/b@example.com', 'id3'));
    expect(readdirSync(dir)).toHaveLength(3);
    expect(outboxFileName(message('../../etc/passwd@x.example', 'id4'))).not.toContain('/');
  });

  it('writes a message to the longest valid address, under a short name that still tells two apart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-outbox-'));
    const mailer = new OutboxMailer(dir);
    const long = (c: string) => `${c.repeat(242)}@example.com`;
    const a = await mailer.send(message(long('a'), 'idA'));
    const b = await mailer.send({ ...message(long('a'), 'idB'), test: true });
    expect(Buffer.byteLength(a.messageId)).toBeLessThan(120);
    expect(a.messageId).toMatch(/^issue-0003-a{64}-idA\.eml$/);
    expect(b.messageId).toMatch(/^test-issue-0003-a{64}-idB\.eml$/);
    expect(readdirSync(dir).sort()).toEqual([a.messageId, b.messageId].sort());
  });

  it('never puts the recipient in an error it throws', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'pd-outbox-')), 'a-file');
    require('node:fs').writeFileSync(blocker, '');
    const mailer = new OutboxMailer(path.join(blocker, 'outbox'));
    await expect(mailer.send(message('secret.reader@example.com', 'id1'))).rejects.toThrow(/s\*\*\*@example\.com/);
    await expect(mailer.send(message('secret.reader@example.com', 'id1'))).rejects.not.toThrow(/secret\.reader/);
  });
});
