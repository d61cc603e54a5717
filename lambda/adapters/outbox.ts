/** The local transport: each message becomes one `.eml` file, so a laptop run needs no AWS account. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DeliveryError } from '../core/errors';
import type { Mailer, SendReceipt } from '../ports/mailer';
import type { OutgoingMessage } from '../render/message';
import { writeFileAtomic } from './fs-util';

/**
 * The outbox file name for one message: issue and recipient, safe on every file system. An address
 * that had to be altered to be safe gets the subscriber id too, so two addresses never share a file.
 */
export function outboxFileName(message: OutgoingMessage): string {
  const address = message.to.toLowerCase();
  const who = address.replace(/[^a-z0-9@._+-]/g, '_');
  // A test copy never replaces the issue's real message to the same address; each test is a file of its own.
  if (message.test) return `test-issue-${String(message.issue).padStart(4, '0')}-${who}-${message.subscriberId}.eml`;
  return `issue-${String(message.issue).padStart(4, '0')}-${who}${who === address ? '' : `-${message.subscriberId}`}.eml`;
}

export class OutboxMailer implements Mailer {
  readonly description: string;
  constructor(private readonly dir: string) {
    this.description = `outbox ${dir}`;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const file = path.join(this.dir, outboxFileName(message));
    try {
      await fs.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(file, message.raw);
    } catch (cause) {
      throw new DeliveryError(`cannot write ${file}: ${(cause as Error).message}`, { cause, failure: 'fatal' });
    }
    return { messageId: path.basename(file) };
  }
}
