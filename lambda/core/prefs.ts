/**
 * A reader's own choices (their preferences page, `subscribers prefs`): which sections they take and a pause.
 * What each reader of an issue gets follows from them here: the whole issue, a variant holding only their
 * sections (rendered once per distinct choice among the issue's readers, not once per reader), or nothing
 * this time (paused, or none of their sections has a link in this issue). Pure: values in, values out.
 */
import { createHash } from 'node:crypto';
import { DigestError } from './errors';
import type { IssueModel, ReaderPrefs } from './model';

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
  | { kind: 'omitted'; why: string };

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

/** The stored name of the rendering that holds exactly `sections` (order aside): short, stable, URL-safe. */
export function variantKey(sections: readonly string[]): string {
  const canonical = JSON.stringify([...sections].sort());
  return `s-${createHash('sha256').update(canonical).digest('base64url').slice(0, 16)}`;
}

/**
 * What a reader with `prefs` gets of an issue whose sections are `issueSections` (titles, in order), at `now`.
 * Paused until after now: nothing. Sections chosen: those of this issue among them; none: nothing; all of
 * the issue's: the whole issue; else the variant of exactly those.
 */
export function readerShare(
  prefs: ReaderPrefs | undefined,
  issueSections: readonly string[],
  offered: readonly string[],
  now: Date,
): ReaderShare {
  if (prefs?.pausedUntil && Date.parse(prefs.pausedUntil) > now.getTime()) {
    return { kind: 'omitted', why: `paused until ${prefs.pausedUntil}` };
  }
  if (!prefs?.sections) return { kind: 'whole' };
  const lower = (s: string) => s.toLowerCase();
  const chosen = new Set(prefs.sections.map(lower));
  const named = new Set(offered.slice(0, -1).map(lower));
  const other = lower(offered[offered.length - 1] ?? '');
  // A section that is none of the named ones is the other section's (links grouped by tag, say).
  const takes = (s: string) => chosen.has(lower(s)) || (!named.has(lower(s)) && chosen.has(other));
  const sections = issueSections.filter(takes);
  if (sections.length === 0) return { kind: 'omitted', why: 'none of their sections has a link in this issue' };
  if (sections.length === issueSections.length) return { kind: 'whole' };
  return { kind: 'variant', variant: variantKey(sections), sections };
}

/** The issue with only `sections` (titles): what a variant is rendered from; the count follows the links kept. */
export function variantModel(model: IssueModel, sections: readonly string[]): IssueModel {
  const wanted = new Set(sections);
  const kept = model.sections.filter((s) => wanted.has(s.title));
  return { ...model, sections: kept, bookmarkCount: kept.reduce((n, s) => n + s.bookmarks.length, 0) };
}

/**
 * A reader's new choices checked against the sections offered (`offered`: the config's section titles and
 * the other section's, in order): the stored form. Every section, or none given: `sections` left out (they
 * get whatever sections the digest has, new ones too). `pauseWeeks` 0 ends a pause.
 */
export function choosePrefs(
  input: { sections?: readonly string[]; pauseWeeks?: number },
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
  if (input.pauseWeeks !== undefined) {
    if (input.pauseWeeks === 0) delete next.pausedUntil;
    else if (!(PAUSE_WEEKS as readonly number[]).includes(input.pauseWeeks)) {
      throw new PrefsError(`a pause is ${PAUSE_WEEKS.join(', ')} weeks (or 0 to end one), not ${input.pauseWeeks}`);
    } else next.pausedUntil = new Date(now.getTime() + input.pauseWeeks * WEEK_MS).toISOString();
  }
  return next;
}

/** Whether `prefs` say nothing beyond the defaults (then the store keeps none). */
export const isDefaultPrefs = (prefs: ReaderPrefs | undefined) =>
  !prefs ||
  (prefs.sections === undefined && prefs.pausedUntil === undefined && (prefs.frequency ?? 'issue') === 'issue');
