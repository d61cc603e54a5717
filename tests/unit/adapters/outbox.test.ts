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
});
