/** Turns job results into the lines a person reads at the end of a run. */
import type { ComposeReport, SourcesReport } from '../core/compose';
import type { LinkCheckReport } from '../core/link-check';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What selection left out and why; counts only, so no private bookmark is ever named. */
export function describeReport(report: ComposeReport & { sources?: SourcesReport }): string[] {
  const lines: string[] = [];
  if (report.sources?.failed.length) {
    const { read, failed } = report.sources;
    lines.push(
      `sources: read ${read} of ${read + failed.length}; not read, caught up in a later issue: ${failed.map((f) => f.source).join(', ')}`,
    );
  }
  const left: string[] = [];
  if (report.private) left.push(`${report.private} private`);
  if (report.toread) left.push(`${report.toread} to-read`);
  if (report.excludedTag) left.push(`${report.excludedTag} with an excluded tag`);
  if (report.notIncludedTag) left.push(`${report.notIncludedTag} without an included tag`);
  if (report.outsideWindow) left.push(`${report.outsideWindow} outside the window`);
  if (report.alreadySent) left.push(`${report.alreadySent} already sent in an earlier issue`);
  if (report.duplicate) left.push(`${report.duplicate} duplicate`);
  if (left.length) lines.push(`left out: ${left.join(', ')}`);
  const schemes = Object.entries(report.unsupportedScheme);
  if (schemes.length) {
    lines.push(
      `dropped ${plural(
        schemes.reduce((n, [, c]) => n + c, 0),
        'link',
      )} that are not http(s): ${schemes.map(([s, c]) => `${c} ${s}`).join(', ')}`,
    );
  }
  const carried = report.carriedByCount + report.carriedBySize;
  if (carried) {
    const why = [
      report.carriedByCount ? `${report.carriedByCount} over maxBookmarks` : '',
      report.carriedBySize ? `${report.carriedBySize} over the HTML size budget` : '',
    ].filter(Boolean);
    lines.push(`carried to the next issue: ${plural(carried, 'link')} (${why.join(', ')})`);
  }
  if (report.linkCheck) lines.push(...describeLinkCheck(report.linkCheck));
  return lines;
}

/** Links listed per kind in the summary; past this, a count. */
const LISTED = 20;

const DEAD_ACTION = { dropped: 'dropped for good', held: 'held for the next issue', marked: 'sent marked' } as const;

/** The link check: counts, then each dead, unknown and redirected link by its URL (all public links). */
export function describeLinkCheck(r: LinkCheckReport): string[] {
  const took = r.durationMs === undefined ? '' : ` in ${(r.durationMs / 1000).toFixed(1)} s`;
  const counts = [
    `${r.alive} working`,
    r.redirected.length ? `${r.redirected.length} redirected` : '',
    `${r.dead.length} dead`,
    r.unknown.length ? `${r.unknown.length} unknown (sent as they are)` : '',
  ].filter(Boolean);
  const lines = [`link check: ${plural(r.checked, 'link')} checked${took}: ${counts.join(', ')}`];
  const list = (items: string[]) => {
    lines.push(...items.slice(0, LISTED).map((line) => `  ${line}`));
    if (items.length > LISTED) lines.push(`  … and ${items.length - LISTED} more`);
  };
  list(r.dead.map((d) => `dead, ${DEAD_ACTION[d.action]}: ${d.url} (${d.reason})`));
  list(r.unknown.map((u) => `unknown, sent: ${u.url} (${u.reason})`));
  list(r.redirected.map((x) => `redirected${x.kept ? ', shown at its new address' : ''}: ${x.url} → ${x.finalUrl}`));
  return lines;
}
