/**
 * Adds subscribers from CSV text: the CLI's import and the demo seed. The header names the columns (`email`,
 * optional `name` and `status`, any order, any case), so `subscribers export` reads back in. Every row is
 * checked first; bad rows are reported by line and the good ones are added in one write, so a bad file never
 * half-writes the store. Addresses already on the list are left as they are.
 */
import { csvValue, parseCsvRows } from '../core/csv';
import { cleanName, normalizeEmail } from '../core/email';
import type { SubscriberStatus } from '../core/model';
import type { NewSubscriber, Store } from '../ports/store';

export interface ImportResult {
  added: number;
  existing: number;
  /** `line N: "value" is not an email address` (or a bad status) for each row left out. */
  invalid: string[];
  /** Set when nothing could be imported: no `email` column, or a quote never closed. */
  error?: string;
}

/** Every status a subscriber can have (import and `list --status` check against it). */
export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'active',
  'pending',
  'unsubscribed',
  'bounced',
  'complained',
];

export async function importSubscribers(store: Store, csv: string, at: string): Promise<ImportResult> {
  const { rows, error } = parseCsvRows(csv);
  const none = { added: 0, existing: 0, invalid: [] };
  if (error) return { ...none, error };
  const [head, ...body] = rows;
  const header = (head?.fields ?? []).map((h) => h.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const [emailCol, nameCol, statusCol] = [column('email'), column('name'), column('status')];
  if (emailCol < 0) return { ...none, error: 'the header row needs an "email" column' };
  const valid: NewSubscriber[] = [];
  const invalid: string[] = [];
  for (const { line, fields } of body) {
    const value = (col: number) => (col >= 0 ? csvValue(fields[col] ?? '') : '');
    const raw = value(emailCol);
    const email = normalizeEmail(raw);
    const status = (value(statusCol).trim().toLowerCase() || 'active') as SubscriberStatus;
    if (!email) invalid.push(`line ${line}: "${raw}" is not an email address`);
    else if (!SUBSCRIBER_STATUSES.includes(status)) {
      invalid.push(`line ${line}: status "${value(statusCol)}" is not one of ${SUBSCRIBER_STATUSES.join(', ')}`);
    } else valid.push({ email, name: cleanName(value(nameCol)), status });
  }
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
