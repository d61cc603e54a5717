/**
 * The monthly round-up (core/prefs.ts decides who gets one): when it goes, which issues a reader has waiting
 * for it, and the one message it makes of them. Pure: values in, values out.
 *
 * - It goes with the first issue sent in each calendar month, in the author's time zone.
 * - It holds every issue since the reader's last message: those they were not sent because they take the
 *   round-up (and, for a monthly reader, those that went while they were paused), and the issue it goes with.
 * - Its links are grouped by section, newest issue first within each, never a link twice. When it would pass
 *   the size budget, the oldest issues' links make way, and it says how many more are on the archive.
 */
import { largestFitting } from './fit';
import type { Delivery, IssueBookmark, IssueModel, Section } from './model';
import { normalizeUrl } from './url';

/** "2026-11": the calendar month of `iso` in `timeZone`. */
export function monthOf(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(
    new Date(iso),
  );
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}`;
}

/** Whether an issue dated `at` is the first of its month, the one before it dated `previousAt` (none: it is). */
export const opensMonth = (at: string, previousAt: string | undefined, timeZone: string): boolean =>
  previousAt === undefined || monthOf(previousAt, timeZone) !== monthOf(at, timeZone);

/**
 * What a reader's ledger entry of an earlier issue says, walking back from the issue being sent: `waits` (it
 * goes into their round-up), `skip` (nothing to take; look further back) or `stop` (their last message, or the
 * last round-up that found nothing for them: nothing before it is owed).
 */
export function lookback(
  entry: Pick<Delivery, 'state' | 'omittedFor'> | undefined,
  monthly: boolean,
): 'waits' | 'skip' | 'stop' {
  if (!entry) return 'skip';
  if (entry.state !== 'omitted') return 'stop';
  if (entry.omittedFor === 'round-up') return 'waits';
  if (entry.omittedFor === 'pause') return monthly ? 'waits' : 'skip';
  return 'stop';
}

/** A round-up's own facts, beside the model's (core/model.ts `roundup`). */
export interface Roundup {
  /** The issues it holds, oldest first; the last is the issue it goes with. */
  issues: number[];
  /** Links of those issues left out to keep within the size budget (they are on the archive). */
  more: number;
}

/**
 * The round-up of `issues` (newest first: the issue it goes with, then the earlier ones), with only the
 * sections titled `sections` (absent: all), keeping the first `keep` links in newest-first order (absent:
 * all). Sections come in the order they first appear, newest issue first; the note is the newest issue's.
 */
export function roundupModel(
  issues: readonly IssueModel[],
  sections?: readonly string[],
  keep?: number,
): { model: IssueModel; total: number } {
  const [current] = issues;
  const oldest = issues[issues.length - 1];
  if (!current || !oldest) throw new Error('internal: a round-up of no issues');
  const wanted = sections && new Set(sections);
  const seen = new Set<string>();
  const links: { section: string; bookmark: IssueBookmark }[] = [];
  for (const issue of issues) {
    for (const section of issue.sections) {
      if (wanted && !wanted.has(section.title)) continue;
      for (const bookmark of section.bookmarks) {
        const url = normalizeUrl(bookmark.url);
        if (seen.has(url)) continue;
        seen.add(url);
        links.push({ section: section.title, bookmark });
      }
    }
  }
  const kept = links.slice(0, keep ?? links.length);
  const bySection = new Map<string, Section>();
  for (const { section, bookmark } of kept) {
    const s = bySection.get(section) ?? { title: section, bookmarks: [] };
    bySection.set(section, s);
    s.bookmarks.push(bookmark);
  }
  const { deadLinks: _dead, ...rest } = current;
  return {
    total: links.length,
    model: {
      ...rest,
      window: { from: oldest.window.from, to: current.window.to },
      sections: [...bySection.values()],
      bookmarkCount: kept.length,
      carriedOver: 0,
      roundup: { issues: issues.map((i) => i.issue).reverse(), more: links.length - kept.length },
    },
  };
}

/**
 * The round-up that fits the budget: all of its links if it can, else the most of the newest that do (a
 * binary search: O(log n) renders). `bytes` measures a rendering as the budget does (core/compose.ts
 * `personalizedHtmlBytes`). Undefined when not even one link fits.
 */
export function fitRoundup<R>(
  issues: readonly IssueModel[],
  sections: readonly string[] | undefined,
  render: (model: IssueModel) => R,
  bytes: (rendered: R) => number,
  maxBytes: number,
): { model: IssueModel; rendered: R; bytes: number } | undefined {
  const { total } = roundupModel(issues, sections);
  return largestFitting(
    total,
    (keep) => {
      const { model } = roundupModel(issues, sections, keep);
      const rendered = render(model);
      return { model, rendered, bytes: bytes(rendered) };
    },
    (tried) => tried.bytes <= maxBytes,
  );
}
