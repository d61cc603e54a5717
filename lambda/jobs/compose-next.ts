/** Finds what the next run delivers: an unfinished issue to resume, a newly composed one, or nothing. */
import { type ComposeOptions, type ComposeReport, composeIssue, type RenderIssue } from '../core/compose';
import type { IssueRecord } from '../core/model';
import type { BookmarkSource } from '../ports/bookmark-source';
import type { Store } from '../ports/store';

export interface ComposeNextDeps {
  source: BookmarkSource;
  store: Pick<Store, 'history'>;
  render: RenderIssue;
  options: ComposeOptions & { firstIssueDays: number };
  placeholder: string;
  sampleUnsubscribeUrl: string;
}

export type NextIssue =
  | { kind: 'resume'; record: IssueRecord }
  | { kind: 'issue'; record: IssueRecord; report: ComposeReport; warnings: string[]; from: string }
  | { kind: 'nothing'; reason: string; report?: ComposeReport; warnings: string[]; from: string };

const DAY_MS = 86_400_000;

/**
 * Inputs: source, store history, renderer, options; `now`; optional `since` (ISO) overriding the window start.
 * 1. An issue composed or half sent is resumed as stored (not recomposed: every reader gets the same bytes).
 * 2. Window start: `since`, else the last sent issue's watermark, else `firstIssueDays` before now.
 * 3. Fetch from the source; if it says nothing changed, stop.
 * 4. Compose (select, group, render within budget) against every link already sent.
 */
export async function composeNextIssue(deps: ComposeNextDeps, now: Date, since?: string): Promise<NextIssue> {
  const history = await deps.store.history();
  if (history.unfinished) return { kind: 'resume', record: history.unfinished };

  const from =
    since ??
    history.lastSent?.watermark ??
    new Date(now.getTime() - deps.options.firstIssueDays * DAY_MS).toISOString();
  const fetched = await deps.source.fetchSince(from, now.toISOString());
  if (fetched.unchanged) {
    return { kind: 'nothing', reason: `no bookmarks changed since ${from}`, warnings: fetched.warnings, from };
  }
  const result = composeIssue({
    bookmarks: fetched.bookmarks,
    issueNumber: history.nextIssue,
    from,
    now: now.toISOString(),
    sentLinks: history.sentLinks,
    options: deps.options,
    render: deps.render,
    placeholder: deps.placeholder,
    sampleUnsubscribeUrl: deps.sampleUnsubscribeUrl,
  });
  if (result.kind === 'nothing') {
    return { kind: 'nothing', reason: result.reason, report: result.report, warnings: fetched.warnings, from };
  }
  return { kind: 'issue', record: result.record, report: result.report, warnings: fetched.warnings, from };
}
