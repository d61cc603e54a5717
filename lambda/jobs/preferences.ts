/**
 * A reader's preferences page: what it shows (GET: nothing changes) and what its form saves (POST). The token
 * names the reader for this purpose only (core/tokens.ts): it cannot unsubscribe or confirm, and no other
 * token opens it. The choices are checked against the sections offered (core/prefs.ts `choosePrefs`).
 */
import type { Subscriber } from '../core/model';
import { choosePrefs, isDefaultPrefs, PrefsError } from '../core/prefs';
import { verifyToken } from '../core/tokens';
import type { SubscriberStore } from '../ports/store';

export interface PreferencesDeps {
  store: Pick<SubscriberStore, 'getSubscriber' | 'setSubscriberPrefs'>;
  secret: string;
  /** The sections a reader may pick, in order: the config's section titles, then the other section's. */
  sections: readonly string[];
  now: () => Date;
}

export type PreferencesLookup =
  | { kind: 'invalid' }
  /** Not (or no longer) on the list: nothing to choose. */
  | { kind: 'not-subscribed'; subscriber?: Subscriber }
  | { kind: 'found'; subscriber: Subscriber };

/** The reader a preferences link is for, if it is genuine and they are on the list. Changes nothing. */
export async function inspectPreferences(token: string, deps: PreferencesDeps): Promise<PreferencesLookup> {
  const id = verifyToken(deps.secret, 'preferences', token, deps.now().getTime());
  if (!id) return { kind: 'invalid' };
  const subscriber = await deps.store.getSubscriber(id);
  if (!subscriber || (subscriber.status !== 'active' && subscriber.status !== 'pending')) {
    return { kind: 'not-subscribed', ...(subscriber ? { subscriber } : {}) };
  }
  return { kind: 'found', subscriber };
}

/** What a reader asks for; a field left out keeps what they had. */
export interface PreferencesChoice {
  sections?: readonly string[];
  /** `issue` (every issue) or `monthly` (the round-up). */
  frequency?: string;
  pauseWeeks?: number;
}

export type PreferencesSaved =
  | Exclude<PreferencesLookup, { kind: 'found' }>
  | { kind: 'saved'; subscriber: Subscriber }
  | { kind: 'refused'; subscriber: Subscriber; message: string };

/**
 * Saves a reader's choices: `sections` (those ticked), `frequency`, `pauseWeeks` (4, 8, 12; 0 resumes; absent
 * keeps the pause as it is). Every section, every issue and no pause: the stored choices are cleared (the defaults).
 */
export async function savePreferences(
  token: string,
  choice: PreferencesChoice,
  deps: PreferencesDeps,
): Promise<PreferencesSaved> {
  const found = await inspectPreferences(token, deps);
  if (found.kind !== 'found') return found;
  return changePreferences(found.subscriber, choice, deps);
}

export type PreferencesChanged = Extract<PreferencesSaved, { kind: 'saved' | 'refused' | 'not-subscribed' }>;

/**
 * A reader's choices changed as asked, checked against the sections offered; the defaults (every section,
 * every issue, no pause) are stored as none. What the page's POST and `subscribers prefs` both do.
 */
export async function changePreferences(
  subscriber: Subscriber,
  choice: PreferencesChoice,
  deps: Pick<PreferencesDeps, 'store' | 'sections' | 'now'>,
): Promise<PreferencesChanged> {
  let next: ReturnType<typeof choosePrefs>;
  try {
    next = choosePrefs(choice, deps.sections, subscriber.prefs, deps.now());
  } catch (error) {
    if (error instanceof PrefsError) return { kind: 'refused', subscriber, message: error.message };
    throw error;
  }
  const saved = await deps.store.setSubscriberPrefs(subscriber.id, isDefaultPrefs(next) ? undefined : next);
  return saved ? { kind: 'saved', subscriber: saved } : { kind: 'not-subscribed' };
}
