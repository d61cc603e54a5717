/** Turns job results into the lines a person reads at the end of a run. */
import type { ComposeReport } from '../core/compose';
import type { SourcesReport } from '../jobs/compose-next';

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
  return lines;
}
