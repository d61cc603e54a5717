/** `subscribers prefs EMAIL [--sections "A,B"] [--frequency issue|monthly] [--pause-weeks N]`: a reader's choices, as their own page sets them. */
import { normalizeEmail } from '../core/email';
import type { ReaderPrefs } from '../core/model';
import { offeredSections } from '../core/prefs';
import { changePreferences } from '../jobs/preferences';
import type { App } from '../wiring';
import { UsageError } from './command';
import type { Output } from './output';

export interface PrefsFlags {
  sections?: string;
  frequency?: string;
  pauseWeeks?: string;
}

const describe = (p: ReaderPrefs | undefined, all: string[]) =>
  [
    `sections: ${p?.sections ? p.sections.join(', ') : `all (${all.join(', ')})`}`,
    `pace: ${p?.frequency === 'monthly' ? 'a monthly round-up' : 'every issue'}`,
    `pause: ${p?.pausedUntil ? `until ${p.pausedUntil}` : 'none'}`,
  ].join('; ');

export async function prefsCommand(
  app: App,
  email: string | undefined,
  flags: PrefsFlags,
  output: Output,
  now = new Date(),
) {
  const address = normalizeEmail(email ?? '');
  if (!address) throw new UsageError('subscribers prefs: give the reader’s email address');
  let pauseWeeks: number | undefined;
  if (flags.pauseWeeks !== undefined) {
    if (!/^\d{1,3}$/.test(flags.pauseWeeks))
      throw new UsageError(`--pause-weeks: "${flags.pauseWeeks}" is not a number of weeks`);
    pauseWeeks = Number(flags.pauseWeeks);
  }
  const subscriber = await app.store.findSubscriber(address);
  if (!subscriber) {
    output.out(`${address} is not on the list (${app.store.description}).`);
    return 1;
  }
  const offered = offeredSections(app.compose);
  const changing = flags.sections !== undefined || flags.frequency !== undefined || pauseWeeks !== undefined;
  if (!changing) {
    output.out(`${subscriber.email} (${subscriber.status}): ${describe(subscriber.prefs, offered)}.`);
    return 0;
  }
  const sections = flags.sections
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const changed = await changePreferences(
    subscriber,
    { sections, frequency: flags.frequency, pauseWeeks },
    { store: app.store, sections: offered, now: () => now },
  );
  if (changed.kind === 'refused') throw new UsageError(changed.message);
  if (changed.kind === 'not-subscribed') {
    output.out(`${address} is not on the list (${app.store.description}).`);
    return 1;
  }
  output.out(`${subscriber.email}: ${describe(changed.subscriber.prefs, offered)}. It applies from the next issue.`);
  return 0;
}
