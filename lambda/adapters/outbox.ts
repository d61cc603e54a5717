/** The local transport: each message becomes one `.eml` file, so a laptop run needs no AWS account. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { maskAddress, maskAddressesIn } from '../core/email';
import { DeliveryError } from '../core/errors';
import type { Mailer, OutgoingMessage, SendReceipt } from '../ports/mailer';
import { writeFileAtomic } from './fs-util';

/** The most of an address a file name holds: names stay far below the 255 bytes file systems allow. */
const MAX_ADDRESS_IN_NAME = 64;

/**
 * The outbox file name for one message: issue and recipient, safe on every file system and never too long,
 * whatever the address (a valid one has up to 254 octets). The address part is only a label for a person
 * looking at the folder: one that had to be altered or cut to be safe gets the subscriber id too, so two
 * addresses never share a file.
 */
export function outboxFileName(message: OutgoingMessage): string {
  const address = message.to.toLowerCase();
  const who = address.replace(/[^a-z0-9@._+-]/g, '_').slice(0, MAX_ADDRESS_IN_NAME);
  const id = message.subscriberId.replace(/[^A-Za-z0-9_-]/g, '_');
  // A test copy never replaces the issue's real message to the same address; each test is a file of its own.
  if (message.preflight) return `preflight-issue-${String(message.issue).padStart(4, '0')}-${who}-${id}.eml`;
  if (message.test) return `test-issue-${String(message.issue).padStart(4, '0')}-${who}-${id}.eml`;
  return `issue-${String(message.issue).padStart(4, '0')}-${who}${who === address ? '' : `-${id}`}.eml`;
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
      // The message names the folder and a masked recipient: an error ends up in logs, an address must not.
      const why = maskAddressesIn((cause as Error).message);
      throw new DeliveryError(`cannot write the message to ${maskAddress(message.to)} in ${this.dir}: ${why}`, {
        cause,
        failure: 'fatal',
      });
    }
    return { messageId: path.basename(file) };
  }
}
