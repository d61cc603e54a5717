/** `subscribers add|remove|import|list|export`: the list in the configured store. */
import { readFile } from 'node:fs/promises';
import { csvField } from '../../core/csv';
import { cleanName, normalizeEmail } from '../../core/email';
import { DigestError } from '../../core/errors';
import type { Subscriber } from '../../core/model';
import { importSubscribers } from '../../jobs/import-subscribers';
import type { Store } from '../../ports/store';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';

export class UsageError extends DigestError {}

function requireEmail(raw: string | undefined, where: string): string {
  if (!raw) throw new UsageError(`${where}: an email address is required`);
  const email = normalizeEmail(raw);
  if (!email) throw new UsageError(`${where}: "${raw}" is not a valid email address`);
  return email;
}

async function* allSubscribers(store: Store): AsyncGenerator<Subscriber> {
  let cursor: string | undefined;
  do {
    const page = await store.listSubscribers({ cursor, limit: 1000 });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}

export async function subscribersCommand(
  action: string | undefined,
  args: string[],
  flags: CommonFlags & { name?: string; json?: boolean },
  output: Output,
): Promise<number> {
  const app = openApp(flags, output);
  const store = app.store;
  const at = new Date().toISOString();

  switch (action) {
    case 'add': {
      const email = requireEmail(args[0], 'subscribers add');
      const { subscriber, created } = await store.addSubscriber(
        { email, name: cleanName(flags.name), status: 'active' },
        at,
      );
      if (created) output.out(`Added ${email} (active).`);
      else if (subscriber.status === 'active') output.out(`${email} is already subscribed.`);
      else if (subscriber.status === 'unsubscribed' || subscriber.status === 'pending') {
        await store.setSubscriberStatus(subscriber.id, 'active', at);
        output.out(`Re-activated ${email} (was ${subscriber.status}).`);
      } else {
        output.out(
          `${email} is suppressed (${subscriber.status}): SES reported it. Not re-activated; remove the cause first.`,
        );
        return 1;
      }
      return 0;
    }
    case 'remove': {
      const email = requireEmail(args[0], 'subscribers remove');
      const subscriber = await store.findSubscriber(email);
      if (!subscriber) {
        output.out(`${email} is not on the list.`);
        return 1;
      }
      await store.setSubscriberStatus(subscriber.id, 'unsubscribed', at);
      output.out(`Removed ${email}: marked unsubscribed, so it is never mailed again.`);
      return 0;
    }
    case 'import': {
      const file = args[0];
      if (!file) throw new UsageError('subscribers import: a CSV file is required');
      const result = await importSubscribers(store, await readFile(file, 'utf8'), at);
      if (result.error) throw new UsageError(`${file}: ${result.error}`);
      for (const line of result.invalid.slice(0, 20)) output.err(`  not an email address, skipped: ${line}`);
      output.out(
        `Imported ${file}: ${result.added} added, ${result.existing} already on the list, ${result.invalid.length} invalid rows skipped.`,
      );
      return result.invalid.length > 0 ? 1 : 0;
    }
    case 'list': {
      const list: Subscriber[] = [];
      for await (const s of allSubscribers(store)) list.push(s);
      if (flags.json) {
        output.out(JSON.stringify(list, null, 2));
        return 0;
      }
      for (const s of list) output.out(`${s.status.padEnd(12)} ${s.email}${s.name ? ` (${s.name})` : ''}`);
      const active = list.filter((s) => s.status === 'active').length;
      output.out(`${list.length} subscribers, ${active} active (${app.store.description}).`);
      return 0;
    }
    case 'export': {
      output.out('email,name,status,created_at');
      for await (const s of allSubscribers(store)) {
        output.out([s.email, s.name ?? '', s.status, s.createdAt].map(csvField).join(','));
      }
      return 0;
    }
    default:
      throw new UsageError(
        `subscribers: unknown action ${action ? `"${action}"` : '(none)'}; use add, remove, import, list or export`,
      );
  }
}
