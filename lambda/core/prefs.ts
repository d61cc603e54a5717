/**
 * A reader's own choices (their preferences page, `subscribers prefs`): which sections they take and a pause.
 * What each reader of an issue gets follows from them here: the whole issue, a variant holding only their
 * sections (rendered once per distinct choice among the issue's readers, not once per reader), or nothing
 * this time (paused, or none of their sections has a link in this issue). Pure: values in, values out.
 */
import { createHash } from 'node:crypto';
import { DigestError } from './errors';
import type { IssueModel, OmittedFor, ReaderPrefs } from './model';

/** A choice that cannot be kept: the message names what is wrong. */
export class PrefsError extends DigestError {}

/** The pauses a reader may choose, in weeks. */
export const PAUSE_WEEKS = [4, 8, 12] as const;

const WEEK_MS = 7 * 86_400_000;

/** What one reader gets of one issue. */
export type ReaderShare =
  | { kind: 'whole' }
  /** Only these sections (in the issue's order); `variant` names that rendering. */
  | { kind: 'variant'; variant: string; sections: string[] }
  /**
   * One message of several issues (core/roundup.ts): `issues` oldest first, this one last; `sections` the
   * titles it takes of them (absent: all). `variant` names that rendering.
   */
  | { kind: 'roundup'; variant: string; issues: number[]; sections?: string[] }
  | { kind: 'omitted'; why: string; for: OmittedFor };

/** What a reader's share of an issue depends on beyond their choices: the month, and what they have waiting. */
export interface ShareContext {
  /** This issue is the first sent in its calendar month (the author's time zone): a round-up goes with it. */
  opensMonth: boolean;
  /** This issue's number. */
  issue: number;
  /** Earlier issues waiting for this reader's round-up, oldest first (core/roundup.ts `lookback`). */
  waiting: readonly number[];
  /** The section titles of a waiting issue. */
  sectionsOf: (issue: number) => readonly string[];
}

/**
 * The sections a reader may choose: the config's section titles, then the other section's. An issue's section
 * that is none of them (without `sections` in the config, links are grouped by tag) belongs to the other one.
 */
export function offeredSections(config: {
  sections?: readonly { title: string }[];
  otherSectionTitle: string;
}): string[] {
  return [...new Set([...(config.sections ?? []).map((s) => s.title), config.otherSectionTitle])];
}

const shortHash = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16);

/** The stored name of the rendering that holds exactly `sections` (order aside): short, stable, URL-safe. */
export const variantKey = (sections: readonly string[]): string => `s-${shortHash([...sections].sort())}`;

/** The stored name of the round-up of `issues` with `sections` (absent: all of theirs). */
export const roundupKey = (issues: readonly number[], sections?: readonly string[]): string =>
  `r-${shortHash({ issues, sections: sections ? [...sections].sort() : null })}`;

/** Whether a reader with `prefs` takes an issue's section titled `title`; undefined when they take every one. */
function sectionFilter(prefs: ReaderPrefs | undefined, offered: readonly string[]) {
  if (!prefs?.sections) return undefined;
  const lower = (s: string) => s.toLowerCase();
  const chosen = new Set(prefs.sections.map(lower));
  const named = new Set(offered.slice(0, -1).map(lower));
  const other = lower(offered[offered.length - 1] ?? '');
  // A section that is none of the named ones is the other section's (links grouped by tag, say).
  return (title: string) => chosen.has(lower(title)) || (!named.has(lower(title)) && chosen.has(other));
}

const NO_ROUNDUP: ShareContext = { opensMonth: true, issue: 0, waiting: [], sectionsOf: () => [] };

/**
 * What a reader with `prefs` gets of an issue whose sections are `issueSections` (titles, in order), at `now`.
 * 1. Paused until after now: nothing.
 * 2. Monthly, and this issue does not open a month: nothing now; it waits for their round-up.
 * 3. Issues waiting (a monthly reader's month, or a reader who went back to every issue): the round-up of
 *    those and this one, of their sections; none of which has a link: nothing.
 * 4. Else this issue: sections chosen, those of this issue among them (none: nothing; all of the issue's:
 *    the whole issue; else the variant of exactly those).
 */
export function readerShare(
  prefs: ReaderPrefs | undefined,
  issueSections: readonly string[],
  offered: readonly string[],
  now: Date,
  context: ShareContext = NO_ROUNDUP,
): ReaderShare {
  if (isPaused(prefs, now)) {
    return { kind: 'omitted', why: `paused until ${prefs.pausedUntil}`, for: 'pause' };
  }
  if (prefs?.frequency === 'monthly' && !context.opensMonth) {
    return { kind: 'omitted', why: 'monthly: it waits for their round-up', for: 'round-up' };
  }
  const takes = sectionFilter(prefs, offered);
  if (context.waiting.length > 0) {
    const issues = [...context.waiting, context.issue];
    const titles = [...new Set([...context.waiting.flatMap(context.sectionsOf), ...issueSections])];
    const taken = takes ? titles.filter(takes) : titles;
    if (taken.length === 0) {
      return { kind: 'omitted', why: 'none of their sections has a link in these issues', for: 'sections' };
    }
    const sections = taken.length === titles.length ? undefined : taken;
    return { kind: 'roundup', variant: roundupKey(issues, sections), issues, ...(sections ? { sections } : {}) };
  }
  if (!takes) return { kind: 'whole' };
  const sections = issueSections.filter(takes);
  if (sections.length === 0) {
    return { kind: 'omitted', why: 'none of their sections has a link in this issue', for: 'sections' };
  }
  if (sections.length === issueSections.length) return { kind: 'whole' };
  return { kind: 'variant', variant: variantKey(sections), sections };
}

/**
 * What a reader will get, in words, before the issue goes (the author's preflight): from their choices alone.
 * A monthly reader's round-up with an issue that opens a month is named so (what it holds depends on their
 * ledger, read at the send); a reader back to every issue with a round-up waiting is counted as the issue.
 */
export function forecastLabel(
  prefs: ReaderPrefs | undefined,
  issueSections: readonly string[],
  offered: readonly string[],
  now: Date,
  opensMonth: boolean,
): string {
  const share = readerShare(prefs, issueSections, offered, now, { ...NO_ROUNDUP, opensMonth });
  if (share.kind === 'omitted') return OMITTED_FORECAST[share.for];
  if (prefs?.frequency === 'monthly') return 'monthly: their round-up goes with this issue';
  return share.kind === 'variant' ? `only ${share.sections.join(', ')}` : 'the whole issue';
}

const OMITTED_FORECAST: Record<OmittedFor, string> = {
  pause: 'paused',
  'round-up': 'monthly: waiting for their round-up',
  sections: 'nothing: none of their sections in it',
};

/** The issue with only `sections` (titles): what a variant is rendered from; the count follows the links kept. */
export function variantModel(model: IssueModel, sections: readonly string[]): IssueModel {
  const wanted = new Set(sections);
  const kept = model.sections.filter((s) => wanted.has(s.title));
  return { ...model, sections: kept, bookmarkCount: kept.reduce((n, s) => n + s.bookmarks.length, 0) };
}

/**
 * A reader's new choices checked against the sections offered (`offered`: the config's section titles and
 * the other section's, in order): the stored form. Every section, or none given: `sections` left out (they
 * get whatever sections the digest has, new ones too). `frequency` `issue` or `monthly`. `pauseWeeks` 0 ends a pause.
 */
export function choosePrefs(
  input: { sections?: readonly string[]; pauseWeeks?: number; frequency?: string },
  offered: readonly string[],
  current: ReaderPrefs | undefined,
  now: Date,
): ReaderPrefs {
  const next: ReaderPrefs = { ...current };
  if (input.sections !== undefined) {
    const byName = new Map(offered.map((s) => [s.toLowerCase(), s]));
    const unknown = input.sections.filter((s) => !byName.has(s.trim().toLowerCase()));
    if (unknown.length > 0) {
      throw new PrefsError(
        `no section ${unknown.map((s) => `"${s}"`).join(', ')}: the sections are ${offered.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    const picked = new Set(input.sections.map((s) => byName.get(s.trim().toLowerCase()) as string));
    if (picked.size === 0) throw new PrefsError('choose at least one section (or unsubscribe)');
    if (picked.size === offered.length) delete next.sections;
    else next.sections = offered.filter((s) => picked.has(s));
  }
  if (input.frequency !== undefined) {
    if (input.frequency === 'issue') delete next.frequency;
    else if (input.frequency === 'monthly') next.frequency = 'monthly';
    else
      throw new PrefsError(
        `the frequency is "issue" (every issue) or "monthly" (a round-up), not "${input.frequency}"`,
      );
  }
  if (input.pauseWeeks !== undefined) {
    if (input.pauseWeeks === 0) delete next.pausedUntil;
    else if (!(PAUSE_WEEKS as readonly number[]).includes(input.pauseWeeks)) {
      throw new PrefsError(`a pause is ${PAUSE_WEEKS.join(', ')} weeks (or 0 to end one), not ${input.pauseWeeks}`);
    } else next.pausedUntil = new Date(now.getTime() + input.pauseWeeks * WEEK_MS).toISOString();
  }
  return next;
}

/** Whether a reader's pause still runs at `now` (one that ended is no pause). */
export const isPaused = (prefs: ReaderPrefs | undefined, now: Date): prefs is ReaderPrefs & { pausedUntil: string } =>
  prefs?.pausedUntil !== undefined && Date.parse(prefs.pausedUntil) > now.getTime();

/** Whether `prefs` say nothing beyond the defaults (then the store keeps none). */
export const isDefaultPrefs = (prefs: ReaderPrefs | undefined) =>
  !prefs ||
  (prefs.sections === undefined && prefs.pausedUntil === undefined && (prefs.frequency ?? 'issue') === 'issue');
