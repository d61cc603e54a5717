/** `subscribers add|remove|unsubscribe|import|list|export`: the list in the configured store. */
import { readFile } from 'node:fs/promises';
import { loadConfirmTemplates } from '../../adapters/template-files';
import { csvField } from '../../core/csv';
import { checkEmail, cleanName, normalizeEmail, refusal } from '../../core/email';
import type { Subscriber, SubscriberStatus } from '../../core/model';
import { offeredSections } from '../../core/prefs';
import { subscriptionDeps } from '../../http/subscription-app';
import { type ImportResult, importSubscribers, SUBSCRIBER_STATUSES } from '../../jobs/import-subscribers';
import { addActive, invite } from '../../jobs/subscriber-admin';
import { eachSubscriber } from '../../jobs/subscriber-pages';
import { tokenFrom, unsubscribe, unsubscribeAddress } from '../../jobs/subscription';
import { CONFIRM_DAYS } from '../../render/confirm-message';
import type { App } from '../../wiring';
import { type Command, stringFlag, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';
import { type PrefsFlags, prefsCommand } from '../prefs';

export const STATUSES = SUBSCRIBER_STATUSES;

/** Subscribers read at once by `list` and `export`. */
const LIST_PAGE = 1000;

function requireEmail(raw: string | undefined, where: string): string {
  if (!raw) throw new UsageError(`${where}: an email address is required`);
  const checked = checkEmail(raw);
  if (!checked.ok) throw new UsageError(`${where}: "${raw}" is not a valid email address${refusal(checked)}`);
  return checked.email;
}

/** `add --confirmed`: active at once, for a reader who already said yes elsewhere. */
async function addConfirmed(app: App, email: string, name: string | undefined, output: Output) {
  const outcome = await addActive({ email, name }, { store: app.store });
  switch (outcome.kind) {
    case 'added':
      output.out(`Added ${email} (active).`);
      return 0;
    case 'already-active':
      output.out(`${email} is already subscribed.`);
      return 0;
    case 'reactivated':
      output.out(`Re-activated ${email} (was ${outcome.was}).`);
      return 0;
    case 'suppressed':
      output.out(
        `${email} is suppressed (${outcome.subscriber.status}): SES reported it. Not re-activated; send it a confirmation instead (add without --confirmed).`,
      );
      return 1;
  }
}

/** `add`: pending until the reader opens the confirmation link mailed now (double opt-in). */
async function addWithConfirmation(app: App, email: string, name: string | undefined, output: Output) {
  const outcome = await invite(
    { email, name },
    {
      store: app.store,
      confirmations: async () => subscriptionDeps(app, await loadConfirmTemplates(app.templatesDir)),
    },
  );
  if (outcome.kind === 'already-active') {
    output.out(`${email} is already subscribed.`);
  } else if (outcome.kind === 'recently-sent') {
    output.out(`A confirmation went to ${email} within the last day: not sent again (${email} is ${outcome.status}).`);
  } else {
    output.out(
      `Sent ${email} a confirmation link (${app.mailer().description}); it is ${outcome.status} until the link is opened (it works for ${CONFIRM_DAYS} days).`,
    );
  }
  return 0;
}

/**
 * `remove EMAIL` and `unsubscribe EMAIL`: the address leaves as by its unsubscribe link (jobs/subscription.ts);
 * one that left already, bounced or complained stays as it is. `left` is the line for an address that left now.
 */
async function removeAddress(app: App, email: string, left: string, output: Output) {
  const outcome = await unsubscribeAddress(email, { store: app.store });
  if (outcome.kind === 'not-on-list') {
    output.out(`${email} is not on the list.`);
    return 1;
  }
  output.out(outcome.kind === 'left' ? left : `${email} is ${outcome.subscriber.status} already: nothing changed.`);
  return 0;
}

/** `unsubscribe TOKEN-OR-EMAIL`: what the author does with an "unsubscribe TOKEN" reply. */
async function unsubscribeCommand(app: App, arg: string | undefined, output: Output) {
  if (!arg)
    throw new UsageError('subscribers unsubscribe: give the token from the reply (or its subject), or an address');
  const email = normalizeEmail(arg);
  if (email) return removeAddress(app, email, `Unsubscribed ${email}.`, output);
  const outcome = await unsubscribe(tokenFrom(arg), { store: app.store, secret: app.message().secret });
  if (outcome.kind === 'invalid') {
    throw new UsageError(
      'that is not an unsubscribe token this list made (signed with the current or an older signing key); unsubscribe by address instead',
    );
  }
  output.out(
    outcome.subscriber
      ? `Unsubscribed ${outcome.subscriber.email} (now ${outcome.subscriber.status}).`
      : 'The token is valid, but its subscriber is no longer on the list: nothing to do.',
  );
  return 0;
}

function statusFlag(value: string | undefined): SubscriberStatus | undefined {
  if (value === undefined) return undefined;
  if (!(STATUSES as string[]).includes(value)) {
    throw new UsageError(`--status: "${value}" is not one of ${STATUSES.join(', ')}`);
  }
  return value as SubscriberStatus;
}

/** "3, 5–7, 12": line numbers, consecutive ones as ranges. */
function lineRanges(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === (lines[j] ?? 0) + 1) j++;
    parts.push(j > i ? `${lines[i]}–${lines[j]}` : String(lines[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** Every row left out or added unmailed, by line: invalid ones one by one, the rest grouped by what they were. */
function reportImport(file: string, result: ImportResult, output: Output) {
  if (result.format) output.err(`${file}: recognized as a ${result.format.label}`);
  for (const line of result.invalid) output.err(`  skipped ${line}`);
  const groups = new Map<string, number[]>();
  for (const row of result.notMailed) {
    const why = row.serviceStatus ? `${row.serviceStatus} there, ${row.status} here` : row.status;
    groups.set(why, [...(groups.get(why) ?? []), row.line]);
  }
  for (const [why, lines] of groups) {
    output.err(`  not mailed (${why}): ${lines.length === 1 ? 'line' : 'lines'} ${lineRanges(lines)}`);
  }
  for (const line of result.duplicates) output.err(`  repeated ${line}`);
  for (const line of result.conflicts) output.err(`  ${line}`);
  const mailed = result.added - result.notMailed.length;
  const more = [
    result.suppressed ? `${result.suppressed} on the list suppressed as the export says` : '',
    result.resubscribed ? `${result.resubscribed} resubscribed` : '',
    result.duplicates.length ? `${result.duplicates.length} repeated rows imported once` : '',
  ].filter(Boolean);
  output.out(
    `Imported ${file}: ${result.added} added (${mailed} to be mailed, ${result.notMailed.length} not mailed), ${result.existing} already on the list, ${result.invalid.length} invalid rows skipped${more.map((m) => `, ${m}`).join('')}.`,
  );
}

export async function subscribersCommand(
  action: string | undefined,
  args: string[],
  flags: CommonFlags & {
    name?: string;
    json?: boolean;
    confirmed?: boolean;
    status?: string;
    resubscribe?: boolean;
  } & PrefsFlags,
  output: Output,
): Promise<number> {
  const app = openApp(flags, output);

  switch (action) {
    case 'add': {
      const email = requireEmail(args[0], 'subscribers add');
      const name = cleanName(flags.name);
      return flags.confirmed ? addConfirmed(app, email, name, output) : addWithConfirmation(app, email, name, output);
    }
    case 'remove': {
      const email = requireEmail(args[0], 'subscribers remove');
      return removeAddress(app, email, `Removed ${email}: marked unsubscribed, so it is never mailed again.`, output);
    }
    case 'unsubscribe':
      return unsubscribeCommand(app, args.join(' ') || undefined, output);
    case 'prefs':
      return prefsCommand(app, args[0], flags, output);
    case 'import': {
      const file = args[0];
      if (!file) throw new UsageError('subscribers import: a CSV file is required');
      const result = await importSubscribers(app.store, await readFile(file, 'utf8'), new Date().toISOString(), {
        resubscribe: flags.resubscribe === true,
        sections: offeredSections(app.compose),
      });
      if (result.error) throw new UsageError(`${file}: ${result.error}; nothing was imported`);
      reportImport(file, result, output);
      return result.invalid.length > 0 ? 1 : 0;
    }
    case 'list': {
      const status = statusFlag(flags.status);
      const list: Subscriber[] = [];
      for await (const s of eachSubscriber(app.store, { status, pageSize: LIST_PAGE })) list.push(s);
      if (flags.json) {
        output.out(JSON.stringify(list, null, 2));
        return 0;
      }
      for (const s of list) output.out(`${s.status.padEnd(12)} ${s.email}${s.name ? ` (${s.name})` : ''}`);
      const active = list.filter((s) => s.status === 'active').length;
      output.out(
        status
          ? `${list.length} ${status} (${app.store.description}).`
          : `${list.length} subscribers, ${active} active (${app.store.description}).`,
      );
      return 0;
    }
    case 'export': {
      output.out('email,name,status,created_at,source,sections,frequency,paused_until');
      for await (const s of eachSubscriber(app.store, { pageSize: LIST_PAGE })) {
        const choices = [s.prefs?.sections?.join(';') ?? '', s.prefs?.frequency ?? '', s.prefs?.pausedUntil ?? ''];
        output.out([s.email, s.name ?? '', s.status, s.createdAt, s.source ?? '', ...choices].map(csvField).join(','));
      }
      return 0;
    }
    default:
      throw new UsageError(
        `subscribers: unknown action ${action ? `"${action}"` : '(none)'}; use add, remove, unsubscribe, import, list or export`,
      );
  }
}

export const subscribers: Command = {
  name: 'subscribers',
  summary: 'add, remove, unsubscribe, import, list or export subscribers',
  help: `Usage: pinboard-digest subscribers <action>

  add EMAIL [--name N] [--confirmed]
                         send EMAIL a confirmation link (double opt-in); with --confirmed, add it
                         active at once (only with the reader's consent)
  remove EMAIL           unsubscribe an address; it is never mailed again
  unsubscribe TOKEN-OR-EMAIL
                         unsubscribe by the token of an "unsubscribe TOKEN" reply (the subject as it
                         came, the token or the whole link), or by address
  import FILE.csv [--resubscribe]
                         add many: our own export (email, name, status, created_at, source) or
                         any CSV with an "email" column, or a subscriber export of Mailchimp,
                         Substack, Buttondown, Kit (ConvertKit), Ghost or listmonk, recognized by
                         its header (it says which). Names and the opt-in time are kept (the time
                         as the subscriber's created_at: consent evidence); addresses the service
                         marks unsubscribed, cleaned, bounced, complained or blocklisted are added
                         as unsubscribed/bounced/complained and never mailed, unconfirmed ones as
                         pending. Suppression wins in any order of files: an address on the list
                         that the export marks so is suppressed here too, and one unsubscribed or
                         suppressed here stays so whatever a later file says. An address on two
                         rows is imported once, the more cautious status kept. Every row left out,
                         repeated or not mailed is named by its line; the good rows are added in
                         one write, or none at all. Other addresses already on the list are left
                         as they are.
    --resubscribe        make addresses unsubscribed, bounced or complained here active again when
                         the file lists them as subscribed. Only with each reader's consent (they
                         asked to be back on the list): without it a suppression always wins
  prefs EMAIL [--sections "A,B"] [--frequency issue|monthly] [--pause-weeks N]
                         a reader's choices, as their "Choose what you get" page sets them: the
                         sections they take (of the config's, and the other section; all of them
                         clears the choice), every issue or a monthly round-up (one email with the
                         first issue of each month), a pause of 4, 8 or 12 weeks (0 ends one).
                         Without flags it shows them. It applies from the next issue
  list [--json] [--status S]
                         show everyone (or those with status S: ${STATUSES.join(', ')}) and their status
  export                 CSV of everyone on stdout (email,name,status,created_at,source,sections,
                         frequency,paused_until: the choices, sections separated by ;):
                         import takes it back`,
  options: {
    name: { type: 'string' },
    json: { type: 'boolean' },
    confirmed: { type: 'boolean' },
    status: { type: 'string' },
    resubscribe: { type: 'boolean' },
    sections: { type: 'string' },
    frequency: { type: 'string' },
    'pause-weeks': { type: 'string' },
  },
  run: ({ values, positionals, common }, output) =>
    subscribersCommand(
      positionals[0],
      positionals.slice(1),
      {
        ...common,
        name: stringFlag(values.name),
        json: values.json === true,
        confirmed: values.confirmed === true,
        status: stringFlag(values.status),
        resubscribe: values.resubscribe === true,
        sections: stringFlag(values.sections),
        frequency: stringFlag(values.frequency),
        pauseWeeks: stringFlag(values['pause-weeks']),
      },
      output,
    ),
};
