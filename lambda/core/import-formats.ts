/**
 * The subscriber exports of other newsletter services, recognized by their header row, and what each row means
 * here: address, name, the time the reader opted in (kept as consent evidence) and whether they may be mailed.
 * Addresses a service marks unsubscribed, cleaned, bounced, complained or blocklisted are imported in a status
 * that is never mailed; unconfirmed ones as pending. Pure: rows in, plain values out.
 *
 * Where the columns come from (checked 2026-11-25; no service's own export page was readable offline, so
 * each is from the best description at hand, named here):
 * - Mailchimp: audience export, one CSV per status (subscribed, unsubscribed, cleaned): "Email Address",
 *   "First Name", "Last Name", …, MEMBER_RATING, OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP, …, LAST_CHANGED,
 *   LEID, EUID, NOTES, TAGS; the unsubscribed file adds UNSUB_TIME, UNSUB_CAMPAIGN_TITLE, UNSUB_CAMPAIGN_ID,
 *   UNSUB_REASON, UNSUB_REASON_OTHER; the cleaned file CLEAN_TIME, CLEAN_CAMPAIGN_TITLE, CLEAN_CAMPAIGN_ID.
 *   Times "YYYY-MM-DD HH:MM:SS", read as UTC. (Importers in public code and Ghost's mg-mailchimp-members.)
 * - Substack: email, active_subscription, expiry, plan, email_disabled, created_at, first_payment_at (a test
 *   fixture of Ghost's Substack importer and a public dbt model of the export); `name` when present.
 *   email_disabled "true" means the reader turned mail off. active_subscription is about paying, not mail.
 * - Buttondown: email (or email_address), creation_date, subscriber_type (or type), notes, metadata, tags…
 *   (tap-buttondown's schema); types from Buttondown's OpenAPI enums: regular, premium, trialed, unpaid, gifted,
 *   churning, paused, past_due (mailed); unactivated (not confirmed); unsubscribed, removed, spammy.
 * - Kit (ConvertKit): email (or email_address), first_name, created_at, status (or state); states from Kit's
 *   API v4 schema: active, inactive (not confirmed), cancelled, bounced, complained; "cold" is still subscribed.
 * - Ghost: id, email, name, note, subscribed_to_emails, complimentary_plan, stripe_customer_id, created_at,
 *   deleted_at, labels, tiers (Ghost's own export tests).
 * - listmonk: uuid, email, name, attributes, status, created_at, updated_at (listmonk's export handler); status
 *   enabled, disabled, blocklisted; times in Go's form "2024-03-01 09:00:00.123456 +0000 UTC".
 * - pinboard-digest's own `subscribers export`: email, name, status, created_at, source; any CSV with an
 *   `email` column is read this way.
 */
import type { ReaderPrefs, SubscriberStatus } from './model';

/** Every status a subscriber can have (our own CSV's `status` column and `list --status` check against it). */
export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'active',
  'pending',
  'unsubscribed',
  'bounced',
  'complained',
];

/** One row as the format reads it: values still raw (the email is checked by the caller). */
export type ImportRow =
  | {
      ok: true;
      email: string;
      name?: string;
      status: SubscriberStatus;
      /** ISO time the reader opted in, when the export says. */
      createdAt?: string;
      /** Our own CSV's `source` column. */
      source?: string;
      /** Our own CSV's `sections` (separated by `;`), `frequency` and `paused_until` columns: the reader's choices. */
      prefs?: ReaderPrefs;
      /** What the service called a not-mailed status, when it differs from ours ("cleaned", "blocklisted"). */
      serviceStatus?: string;
    }
  /** `column` (lower-cased) names where the problem is; `error` says what it is. */
  | { ok: false; column?: string; error: string };

export interface ImportFormat {
  id: 'mailchimp' | 'substack' | 'buttondown' | 'kit' | 'ghost' | 'listmonk' | 'pinboard-digest';
  /** "Mailchimp export": shown when recognized, and kept on each subscriber as where consent came from. */
  label: string;
  /** The header (trimmed, lower-cased) is this format's. */
  matches: (header: ReadonlySet<string>) => boolean;
  /** One row; `get` returns the first non-empty value among the named columns (any case), or ''. */
  read: (get: (...columns: string[]) => string, header: ReadonlySet<string>) => ImportRow;
}

const pad = (n: string) => n.padStart(2, '0');

/**
 * An export's time as ISO 8601 UTC: ISO forms, "YYYY-MM-DD HH:MM:SS" (UTC), Go's "… +0000 UTC", a bare date.
 * `undefined` for an empty value; `null` when it is not a time at all.
 */
export function parseExportTime(value: string): string | undefined | null {
  const v = value.trim();
  if (!v) return undefined;
  let iso = v;
  const spaced =
    /^(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:\s*(Z|UTC|[+-]\d{2}:?\d{2}))?(?:\s+\S+)?$/i.exec(
      v,
    );
  if (spaced) {
    const [, date = '', h = '', m = '', s = '00', frac = '', zone = 'Z'] = spaced;
    const [y, mo, d] = date.split('-') as [string, string, string];
    const offset = /^(Z|UTC)$/i.test(zone) ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${m}:${s}${frac.slice(0, 4)}${offset}`;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    iso = `${v}T00:00:00Z`;
  } else if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    return null; // "03/14/2019" and the like: which is the day and which the month cannot be known
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const truthy = (v: string) => /^(true|yes|1)$/i.test(v.trim());
const falsy = (v: string) => /^(false|no|0)$/i.test(v.trim());
const hasAll = (header: ReadonlySet<string>, ...names: string[]) => names.every((n) => header.has(n));
const hasAny = (header: ReadonlySet<string>, ...names: string[]) => names.some((n) => header.has(n));

/** The row with the consent time read from `column`; a value that is not a time makes the row bad. */
function withTime(
  row: Extract<ImportRow, { ok: true }>,
  get: (...c: string[]) => string,
  columns: string[],
): ImportRow {
  for (const column of columns) {
    const raw = get(column);
    if (!raw) continue;
    const time = parseExportTime(raw);
    if (time === null) return { ok: false, column, error: `"${raw}" is not a date and time` };
    return { ...row, createdAt: time };
  }
  return row;
}

/** A status column read through a table of the service's words; an unknown word makes the row bad. */
function mapped(
  column: string,
  value: string,
  table: Record<string, SubscriberStatus>,
): { status: SubscriberStatus; serviceStatus?: string } | { column: string; error: string } {
  const word = value.trim().toLowerCase();
  const status = table[word];
  if (!status) return { column, error: `"${value}" is not one of ${Object.keys(table).join(', ')}` };
  return { status, ...(status !== 'active' && word !== status ? { serviceStatus: word } : {}) };
}

const joinName = (...parts: string[]) => parts.filter((p) => p.trim()).join(' ') || undefined;

export const IMPORT_FORMATS: readonly ImportFormat[] = [
  {
    id: 'mailchimp',
    label: 'Mailchimp export',
    matches: (h) =>
      h.has('email address') &&
      hasAny(h, 'optin_time', 'confirm_time', 'member_rating', 'leid', 'euid', 'last_changed'),
    read: (get, h) => {
      // Mailchimp exports each status to its own file; the file's extra columns say which one this is.
      const cleaned = h.has('clean_time');
      const unsubscribed = h.has('unsub_time');
      const status: SubscriberStatus = cleaned ? 'bounced' : unsubscribed ? 'unsubscribed' : 'active';
      return withTime(
        {
          ok: true,
          email: get('email address'),
          name: joinName(get('first name'), get('last name')),
          status,
          ...(cleaned ? { serviceStatus: 'cleaned' } : {}),
        },
        get,
        ['optin_time', 'confirm_time'],
      );
    },
  },
  {
    id: 'substack',
    label: 'Substack export',
    matches: (h) => h.has('email') && hasAny(h, 'email_disabled', 'active_subscription'),
    read: (get) => {
      const disabled = get('email_disabled');
      if (disabled && !truthy(disabled) && !falsy(disabled)) {
        return { ok: false, column: 'email_disabled', error: `"${disabled}" is not true or false` };
      }
      return withTime(
        {
          ok: true,
          email: get('email'),
          name: get('name') || undefined,
          status: truthy(disabled) ? 'unsubscribed' : 'active',
          ...(truthy(disabled) ? { serviceStatus: 'email disabled' } : {}),
        },
        get,
        ['created_at', 'subscription_created_at'],
      );
    },
  },
  {
    id: 'buttondown',
    label: 'Buttondown export',
    matches: (h) => hasAny(h, 'email', 'email_address') && hasAny(h, 'creation_date', 'subscriber_type'),
    read: (get) => {
      const type = get('subscriber_type', 'type') || 'regular';
      const m = mapped('subscriber_type', type, {
        regular: 'active',
        premium: 'active',
        trialed: 'active',
        unpaid: 'active',
        gifted: 'active',
        churning: 'active',
        paused: 'active',
        past_due: 'active',
        unactivated: 'pending',
        // Buttondown's robots judged the sign-up spammy: never mailed unless the reader confirms here.
        spammy: 'pending',
        unsubscribed: 'unsubscribed',
        removed: 'unsubscribed',
        complained: 'complained',
        undeliverable: 'bounced',
        bounced: 'bounced',
      });
      if ('error' in m) return { ok: false, ...m };
      return withTime({ ok: true, email: get('email', 'email_address'), name: get('name') || undefined, ...m }, get, [
        'creation_date',
      ]);
    },
  },
  {
    id: 'kit',
    label: 'Kit (ConvertKit) export',
    matches: (h) => hasAny(h, 'email', 'email_address') && h.has('first_name') && hasAny(h, 'status', 'state'),
    read: (get) => {
      const m = mapped('status', get('status', 'state') || 'active', {
        active: 'active',
        cold: 'active',
        inactive: 'pending',
        cancelled: 'unsubscribed',
        canceled: 'unsubscribed',
        unsubscribed: 'unsubscribed',
        bounced: 'bounced',
        complained: 'complained',
      });
      if ('error' in m) return { ok: false, ...m };
      return withTime(
        { ok: true, email: get('email', 'email_address'), name: joinName(get('first_name'), get('last_name')), ...m },
        get,
        ['created_at'],
      );
    },
  },
  {
    id: 'ghost',
    label: 'Ghost members export',
    matches: (h) => h.has('email') && h.has('subscribed_to_emails'),
    read: (get) => {
      const subscribed = get('subscribed_to_emails');
      if (subscribed && !truthy(subscribed) && !falsy(subscribed)) {
        return { ok: false, column: 'subscribed_to_emails', error: `"${subscribed}" is not true or false` };
      }
      const deleted = get('deleted_at') !== '';
      const off = falsy(subscribed) || deleted;
      return withTime(
        {
          ok: true,
          email: get('email'),
          name: get('name') || undefined,
          status: off ? 'unsubscribed' : 'active',
          ...(deleted ? { serviceStatus: 'deleted' } : {}),
        },
        get,
        ['created_at'],
      );
    },
  },
  {
    id: 'listmonk',
    label: 'listmonk export',
    matches: (h) => hasAll(h, 'uuid', 'email', 'attributes', 'status'),
    read: (get) => {
      const m = mapped('status', get('status') || 'enabled', {
        enabled: 'active',
        disabled: 'unsubscribed',
        // listmonk blocklists on bounces (and by hand): suppressed here, never mailed.
        blocklisted: 'bounced',
      });
      if ('error' in m) return { ok: false, ...m };
      return withTime({ ok: true, email: get('email'), name: get('name') || undefined, ...m }, get, ['created_at']);
    },
  },
  {
    id: 'pinboard-digest',
    label: 'CSV with an email column',
    matches: (h) => h.has('email'),
    read: (get) => {
      const raw = get('status');
      const status = (raw.trim().toLowerCase() || 'active') as SubscriberStatus;
      if (!SUBSCRIBER_STATUSES.includes(status)) {
        return { ok: false, column: 'status', error: `"${raw}" is not one of ${SUBSCRIBER_STATUSES.join(', ')}` };
      }
      const source = get('source');
      const sections = get('sections')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
      const frequency = get('frequency').trim().toLowerCase();
      if (frequency && frequency !== 'issue' && frequency !== 'monthly') {
        return { ok: false, column: 'frequency', error: `"${frequency}" is not issue or monthly` };
      }
      const pausedUntil = get('paused_until').trim();
      if (pausedUntil && Number.isNaN(Date.parse(pausedUntil))) {
        return { ok: false, column: 'paused_until', error: `"${pausedUntil}" is not a date and time` };
      }
      const prefs: ReaderPrefs = {
        ...(sections.length ? { sections } : {}),
        ...(frequency === 'monthly' ? { frequency } : {}),
        ...(pausedUntil ? { pausedUntil: new Date(pausedUntil).toISOString() } : {}),
      };
      return withTime(
        {
          ok: true,
          email: get('email'),
          name: get('name') || undefined,
          status,
          ...(source ? { source } : {}),
          ...(Object.keys(prefs).length ? { prefs } : {}),
        },
        get,
        ['created_at'],
      );
    },
  },
];

/** The format whose header this is, most specific first; undefined when there is no email column at all. */
export function detectFormat(header: readonly string[]): ImportFormat | undefined {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  return IMPORT_FORMATS.find((f) => f.matches(names));
}

export const KNOWN_SERVICES = 'Mailchimp, Substack, Buttondown, Kit (ConvertKit), Ghost or listmonk';
