/**
 * Reading the config's sources, each on its own: its own window start and state (a source's cursor), its
 * own failure. Cursors are kept in one Store memo by issue: the cursors an issue was composed with move
 * the next issue forward only once that issue is the last one sent, so a preview, a run that composed
 * nothing and an issue never sent leave every source where it was.
 */
import { SourceError } from '../core/errors';
import type { NamedSource, SourceResult } from '../ports/bookmark-source';
import { readMemo, writeMemo } from '../ports/memo';
import { type Cursors, SOURCE_CURSORS, type SourceCursor } from '../ports/memo-kinds';
import type { Memos } from '../ports/store';

export type { Cursors, SourceCursor };

export const CURSORS_MEMO = SOURCE_CURSORS.key();

/** The memo, read leniently (ports/memo-kinds.ts): anything odd is no cursor. */
async function readAllCursors(memo: Pick<Memos, 'getMemo'>): Promise<Record<string, Cursors>> {
  return (await readMemo(memo, SOURCE_CURSORS, undefined)) ?? {};
}

/** The cursors issue `issue` was composed with; none for a store that predates them (each source then starts at the watermark). */
export async function readCursors(memo: Pick<Memos, 'getMemo'>, issue: number | undefined): Promise<Cursors> {
  if (issue === undefined) return {};
  return (await readAllCursors(memo))[String(issue)] ?? {};
}

/**
 * Records the cursors issue `issue` is composed with. Kept: those of `lastSent` (still in force until this
 * issue is sent) and this issue's; older ones are dropped, so the memo holds two issues at most.
 */
export async function writeCursors(memo: Memos, issue: number, lastSent: number | undefined, cursors: Cursors) {
  const all = await readAllCursors(memo);
  const kept: Record<string, Cursors> = {};
  if (lastSent !== undefined && all[String(lastSent)]) kept[String(lastSent)] = all[String(lastSent)] as Cursors;
  kept[String(issue)] = cursors;
  await writeMemo(memo, SOURCE_CURSORS, undefined, kept);
}

export interface PlannedFetch extends NamedSource, SourceCursor {}

export interface Answered extends PlannedFetch {
  result: SourceResult;
}

export interface Failed extends PlannedFetch {
  error: SourceError;
}

/**
 * Fetches every source at once, each from its own `from` with its own state. A SourceError (unreachable,
 * refused, not a feed…) is that source's failure; anything else (the store, a bug) fails the run.
 */
export async function fetchSources(
  plan: readonly PlannedFetch[],
  now: string,
): Promise<{ answered: Answered[]; failed: Failed[] }> {
  const settled = await Promise.allSettled(plan.map((p) => p.source.fetchSince(p.from, now, p.state)));
  const answered: Answered[] = [];
  const failed: Failed[] = [];
  settled.forEach((outcome, i) => {
    const p = plan[i] as PlannedFetch;
    if (outcome.status === 'fulfilled') answered.push({ ...p, result: outcome.value });
    else if (outcome.reason instanceof SourceError) failed.push({ ...p, error: outcome.reason });
    else throw outcome.reason;
  });
  return { answered, failed };
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * The cursors for the issue about to be stored, whose newest link is `watermark`, composed at `now`.
 * - A source that answered moves to the watermark (never back): everything it offered up to there is in
 *   this issue or left out for good, and anything newer, carried links included, is at or past it.
 * - Its state is kept only when it offered nothing still to come: a 304 next time must mean "nothing you
 *   have not used", and would skip a carried link or one dated after `now` (a clock ahead of ours).
 * - A source that failed keeps its cursor, so its links come in the issue that next reads it.
 */
export function nextCursors(
  issue: { answered: readonly Answered[]; failed: readonly Failed[]; watermark: string; now: string },
  carried: boolean,
): Cursors {
  const { answered, failed, watermark } = issue;
  const now = Date.parse(issue.now);
  const cursors: Cursors = {};
  for (const a of answered) {
    const ahead = a.result.bookmarks.some((b) => Date.parse(b.savedAt) > now);
    const state = carried || ahead ? undefined : a.result.state;
    cursors[a.id] = { from: later(a.from, watermark), ...(state ? { state } : {}) };
  }
  for (const f of failed) cursors[f.id] = { from: f.from, ...(f.state ? { state: f.state } : {}) };
  return cursors;
}
