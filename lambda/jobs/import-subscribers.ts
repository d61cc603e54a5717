/** Adds subscribers from CSV text (header row with `email`, optional `name`): the CLI import and the demo seed. */
import { parseCsv } from '../core/csv';
import { cleanName, normalizeEmail } from '../core/email';
import type { NewSubscriber, Store } from '../ports/store';

export interface ImportResult {
  added: number;
  existing: number;
  /** `line N: "value"` for each row whose email is not an address. */
  invalid: string[];
  /** Set when there is no `email` column. */
  error?: string;
}

export async function importSubscribers(store: Store, csv: string, at: string): Promise<ImportResult> {
  const rows = parseCsv(csv);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const emailCol = header.indexOf('email');
  const nameCol = header.indexOf('name');
  if (emailCol < 0) return { added: 0, existing: 0, invalid: [], error: 'the header row needs an "email" column' };
  const valid: NewSubscriber[] = [];
  const invalid: string[] = [];
  rows.slice(1).forEach((row, i) => {
    const email = normalizeEmail(row[emailCol] ?? '');
    if (email) valid.push({ email, name: cleanName(nameCol >= 0 ? row[nameCol] : undefined), status: 'active' });
    else invalid.push(`line ${i + 2}: "${row[emailCol] ?? ''}"`);
  });
  const results = await store.addSubscribers(valid, at);
  const added = results.filter((r) => r.created).length;
  return { added, existing: results.length - added, invalid };
}

/** Imports the seed CSV when the list is empty (the embedded example's sample subscribers). */
export async function seedSubscribers(store: Store, csv: string, at: string): Promise<ImportResult | undefined> {
  const first = await store.listSubscribers({ limit: 1 });
  if (first.items.length > 0) return undefined;
  return importSubscribers(store, csv, at);
}
