/** The config's `subscribersSeed`: read into an empty list before the first run that needs readers. */
import { readFile } from 'node:fs/promises';
import { seedSubscribers } from '../jobs/import-subscribers';
import type { App } from '../wiring';
import type { Output } from './output';

/** Adds the seed file's readers when the list is empty (`send`, `draft`); says so when it did. */
export async function seedIfEmpty(app: App, now: Date, output: Pick<Output, 'err'>): Promise<void> {
  if (!app.subscribersSeed) return;
  const seeded = await seedSubscribers(app.store, await readFile(app.subscribersSeed, 'utf8'), now.toISOString());
  if (seeded) output.err(`subscriber list was empty: added ${seeded.added} from ${app.subscribersSeed}`);
}
