/**
 * Adds subscribers from CSV text: the CLI's import and the demo seed. The header names the columns: our own
 * (`email`, optional `name`, `status`, `created_at`, `source`, any order, any case, so `subscribers export`
 * reads back in) or another service's export, recognized by its header (core/import-formats.ts). Every row is
 * checked first; bad rows are reported by line and the good ones are added in one write, so a bad file never
 * half-writes the store. Addresses already on the list are left as they are.
 */
import { csvValue, parseCsvRows } from '../core/csv';
import { checkEmail, cleanName, refusal } from '../core/email';
import { detectFormat, type ImportFormat, KNOWN_SERVICES, SUBSCRIBER_STATUSES } from '../core/import-formats';
import type { SubscriberStatus } from '../core/model';
import type { NewSubscriber, Store } from '../ports/store';

export { SUBSCRIBER_STATUSES };

/** A row imported in a status that is never mailed (or not until the reader confirms). */
export interface NotMailed {
  line: number;
  email: string;
  status: SubscriberStatus;
  /** The service's own word when it differs ("cleaned", "blocklisted"). */
  serviceStatus?: string;
}

export interface ImportResult {
  /** The format the header was recognized as. */
  format?: Pick<ImportFormat, 'id' | 'label'>;
  added: number;
  existing: number;
  /** `line N: "value" is not an email address` (or a bad status or time) for each row left out. */
  invalid: string[];
  /** Rows added but never mailed: unsubscribed, bounced or complained at the old service, or unconfirmed. */
  notMailed: NotMailed[];
  /** Addresses already here and mailed, that the export says must not be: left as they are, named. */
  conflicts: string[];
  /** Set when nothing could be imported: no email column, or a quote never closed. */
  error?: string;
}

export async function importSubscribers(store: Store, csv: string, at: string): Promise<ImportResult> {
  const { rows, error } = parseCsvRows(csv);
  const none = { added: 0, existing: 0, invalid: [], notMailed: [], conflicts: [] };
  if (error) return { ...none, error };
  const [head, ...body] = rows;
  const header = (head?.fields ?? []).map((h) => h.trim().toLowerCase());
  const format = detectFormat(header);
  if (!format) {
    return {
      ...none,
      error: `the header row needs an "email" column, or to be the header of a ${KNOWN_SERVICES} export`,
    };
  }
  const names = new Set(header);
  const valid: NewSubscriber[] = [];
  const lines: number[] = [];
  const serviceStatuses: (string | undefined)[] = [];
  const invalid: string[] = [];
  const notMailed: NotMailed[] = [];
  for (const { line, fields } of body) {
    const get = (...columns: string[]) => {
      for (const c of columns) {
        const value = csvValue(fields[header.indexOf(c)] ?? '').trim();
        if (header.includes(c) && value) return value;
      }
      return '';
    };
    const row = format.read(get, names);
    if (!row.ok) {
      // The column as the file spells it ("OPTIN_TIME", "Status").
      const column = row.column ? `${(head?.fields[header.indexOf(row.column)] ?? row.column).trim()} ` : '';
      invalid.push(`line ${line}: ${column}${row.error}`);
      continue;
    }
    const checked = checkEmail(row.email);
    if (!checked.ok) {
      invalid.push(`line ${line}: "${row.email}" is not an email address${refusal(checked)}`);
      continue;
    }
    const { email } = checked;
    const source = format.id === 'pinboard-digest' ? row.source : format.label;
    valid.push({
      email,
      name: cleanName(row.name),
      status: row.status,
      ...(row.createdAt ? { createdAt: row.createdAt } : {}),
      ...(source ? { source } : {}),
    });
    lines.push(line);
    serviceStatuses.push(row.serviceStatus);
  }
  const results = await store.addSubscribers(valid, at);
  const added = results.filter((r) => r.created).length;
  const conflicts: string[] = [];
  results.forEach((r, i) => {
    const wanted = valid[i]?.status;
    const line = lines[i] ?? 0;
    const serviceStatus = serviceStatuses[i];
    if (r.created && wanted && wanted !== 'active') {
      notMailed.push({ line, email: r.subscriber.email, status: wanted, ...(serviceStatus ? { serviceStatus } : {}) });
    }
    if (!r.created && r.subscriber.status === 'active' && wanted && wanted !== 'active') {
      conflicts.push(
        `line ${line}: ${r.subscriber.email} is active here but ${wanted} in the ${format.label}: left active (\`subscribers remove\` stops mail to it)`,
      );
    }
  });
  return {
    format: { id: format.id, label: format.label },
    added,
    existing: results.length - added,
    invalid,
    notMailed,
    conflicts,
  };
}

/** Imports the seed CSV when the list is empty (the embedded example's sample subscribers). */
export async function seedSubscribers(store: Store, csv: string, at: string): Promise<ImportResult | undefined> {
  const first = await store.listSubscribers({ limit: 1 });
  if (first.items.length > 0) return undefined;
  return importSubscribers(store, csv, at);
}
