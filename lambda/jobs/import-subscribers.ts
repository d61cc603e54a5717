/**
 * Adds subscribers from CSV text: the CLI's import and the demo seed. The header names the columns: our own
 * (`email`, optional `name`, `status`, `created_at`, `source`, any order, any case, so `subscribers export`
 * reads back in) or another service's export, recognized by its header (core/import-formats.ts). Every row is
 * checked first; bad rows are reported by line and the good ones are added in one write, so a bad file never
 * half-writes the store. An address on two rows is imported once, in the more cautious of their statuses, and
 * each repeat is named by its line.
 *
 * Suppression wins, whatever order the files come in: an address an export marks unsubscribed, cleaned,
 * bounced or complained is never mailed here, even when it is already on the list as active or pending (a
 * Mailchimp audience comes as one file per status, and the subscribed file may be imported first); one
 * unsubscribed or suppressed here stays so when a later file lists it as subscribed. The only way back is
 * `resubscribe`, which the CLI offers as `--resubscribe` for readers who asked to come back: it needs their
 * consent. Other addresses already on the list are left as they are.
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

/** Statuses from the most mailable to the most cautious: two rows for one address keep the later of these. */
const CAUTION: readonly SubscriberStatus[] = ['active', 'pending', 'unsubscribed', 'bounced', 'complained'];
const suppressed = (status: SubscriberStatus) => CAUTION.indexOf(status) >= CAUTION.indexOf('unsubscribed');

export interface ImportOptions {
  /**
   * Addresses unsubscribed, bounced or complained here that the file lists as mailed become active again.
   * Only with each reader's consent: they asked to be on the list again.
   */
  resubscribe?: boolean;
  /** The sections a reader may choose (core/prefs.ts `offeredSections`): a row naming another is refused. */
  sections?: readonly string[];
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
  /**
   * Addresses already here whose status the export disagrees with, by line: suppressed now as the export
   * says, or left suppressed although it lists them as mailed (or, with `resubscribe`, active again).
   */
  conflicts: string[];
  /** How many of the addresses already here were suppressed by this import, as the export says. */
  suppressed: number;
  /** How many suppressed addresses `resubscribe` made active again. */
  resubscribed: number;
  /** `line 7: ada@example.com is on line 3 too: imported once` for each row that repeats an earlier one. */
  duplicates: string[];
  /** Set when nothing could be imported: no email column, or a quote never closed. */
  error?: string;
}

export async function importSubscribers(
  store: Store,
  csv: string,
  at: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { rows, error } = parseCsvRows(csv);
  const none = {
    added: 0,
    existing: 0,
    invalid: [],
    notMailed: [],
    conflicts: [],
    suppressed: 0,
    resubscribed: 0,
    duplicates: [],
  };
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
  const duplicates: string[] = [];
  /** Where each address (as the store compares them: case-insensitively) is in `valid`. */
  const seen = new Map<string, number>();
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
    const earlier = seen.get(email.toLowerCase());
    if (earlier !== undefined) {
      duplicates.push(`line ${line}: ${email} is on line ${lines[earlier]} too: imported once`);
      const kept = valid[earlier] as NewSubscriber;
      if (CAUTION.indexOf(row.status) > CAUTION.indexOf(kept.status)) {
        kept.status = row.status;
        serviceStatuses[earlier] = row.serviceStatus;
      }
      continue;
    }
    const offered = options.sections?.map((s) => s.toLowerCase());
    const unknown = offered ? (row.prefs?.sections ?? []).filter((s) => !offered.includes(s.toLowerCase())) : [];
    if (unknown.length > 0) {
      invalid.push(
        `line ${line}: sections: no section ${unknown.map((s) => `"${s}"`).join(', ')} (the sections are ${options.sections?.map((s) => `"${s}"`).join(', ')})`,
      );
      continue;
    }
    seen.set(email.toLowerCase(), valid.length);
    const source = format.id === 'pinboard-digest' ? row.source : format.label;
    valid.push({
      email,
      name: cleanName(row.name),
      status: row.status,
      ...(row.createdAt ? { createdAt: row.createdAt } : {}),
      ...(source ? { source } : {}),
      ...(row.prefs ? { prefs: row.prefs } : {}),
    });
    lines.push(line);
    serviceStatuses.push(row.serviceStatus);
  }
  const results = await store.addSubscribers(valid, at);
  const added = results.filter((r) => r.created).length;
  const conflicts: string[] = [];
  let suppressedHere = 0;
  let resubscribed = 0;
  for (const [i, r] of results.entries()) {
    const wanted = valid[i]?.status ?? 'active';
    const line = lines[i] ?? 0;
    const serviceStatus = serviceStatuses[i];
    const { email, status: here } = r.subscriber;
    const there = `${serviceStatus ?? wanted} in the ${format.label}`;
    if (r.created) {
      if (wanted !== 'active') {
        notMailed.push({ line, email, status: wanted, ...(serviceStatus ? { serviceStatus } : {}) });
      }
    } else if (suppressed(wanted) && !suppressed(here)) {
      await store.setSubscriberStatus(r.subscriber.id, wanted, at);
      suppressedHere++;
      conflicts.push(`line ${line}: ${email} is ${here} here but ${there}: now ${wanted}, never mailed`);
    } else if (wanted === 'active' && suppressed(here)) {
      if (options.resubscribe) {
        await store.setSubscriberStatus(r.subscriber.id, 'active', at);
        resubscribed++;
        conflicts.push(`line ${line}: ${email} was ${here} here: active again (--resubscribe)`);
      } else {
        conflicts.push(
          `line ${line}: ${email} is ${here} here: left ${here} (only --resubscribe, with the reader's consent, brings it back)`,
        );
      }
    }
  }
  return {
    format: { id: format.id, label: format.label },
    added,
    existing: results.length - added,
    invalid,
    notMailed,
    conflicts,
    suppressed: suppressedHere,
    resubscribed,
    duplicates,
  };
}

/** Imports the seed CSV when the list is empty (the embedded example's sample subscribers). */
export async function seedSubscribers(store: Store, csv: string, at: string): Promise<ImportResult | undefined> {
  const first = await store.listSubscribers({ limit: 1 });
  if (first.items.length > 0) return undefined;
  return importSubscribers(store, csv, at);
}
