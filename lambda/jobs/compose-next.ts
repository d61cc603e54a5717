/** Finds what the next run delivers: an unfinished issue to resume, a newly composed one, or nothing. */
import {
  type ComposeInput,
  type ComposeOptions,
  type ComposeReport,
  composeIssue,
  type RenderIssue,
  type SourcesReport,
} from '../core/compose';
import { SourceError } from '../core/errors';
import { mergeSources } from '../core/merge';
import type { Bookmark, IssueRecord } from '../core/model';
import type { NamedSource } from '../ports/bookmark-source';
import type { IssueStore, Memos } from '../ports/store';
import { checkLinks, type LinkCheckDeps } from './check-links';
import { type Failed, fetchSources, nextCursors, type PlannedFetch, readCursors, writeCursors } from './fetch-sources';

export type { LinkCheckDeps };

export type SourceFailurePolicy = 'skip' | 'stop';

export interface ComposeNextDeps {
  /** The config's sources, in its order; at least one. */
  sources: readonly NamedSource[];
  /** With several sources, what a failed one does: `skip` (default) leaves it out of this issue, `stop` fails the run. */
  sourceFailure?: SourceFailurePolicy;
  store: Pick<IssueStore, 'history'> & Memos;
  /** Preview: sources are read as a run would read them, and nothing is written. */
  readOnly?: boolean;
  render: RenderIssue;
  options: ComposeOptions & { firstIssueDays: number };
  placeholder: string;
  sampleUnsubscribeUrl: string;
  /** Check candidate links before composing (config `linkCheck`); absent: links are not checked. */
  linkCheck?: LinkCheckDeps;
}

/** With several sources: how many answered, and which failed and why (for the run's summary). */
export type { SourcesReport };

export type NextReport = ComposeReport & { sources?: SourcesReport };

export type NextIssue =
  | { kind: 'resume'; record: IssueRecord }
  | { kind: 'issue'; record: IssueRecord; report: NextReport; warnings: string[]; from: string }
  | { kind: 'nothing'; reason: string; report?: NextReport; warnings: string[]; from: string };

const DAY_MS = 86_400_000;

const earliest = (times: readonly string[]) => times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));

/** The run stops: the one source's own error, or one line naming every failed source. */
function failure(failed: readonly Failed[], total: number, policy: SourceFailurePolicy): SourceError {
  if (total === 1 && failed[0]) return failed[0].error;
  const reasons = failed.map((f) => f.error.message).join('; ');
  const why =
    failed.length === total
      ? `no source could be read (${total} of ${total} failed)`
      : `${failed.length} of ${total} sources failed and sourceFailure is "${policy}"`;
  return new SourceError(`${why}: ${reasons}. Nothing composed, state unchanged`);
}

/**
 * Inputs: sources, store (history and memos), renderer, options; `now`; optional `since` (ISO) overriding
 * every window start.
 * 1. An issue composed or half sent is resumed as stored (not recomposed: every reader gets the same bytes).
 * 2. Each source's window start: `since`, else its own cursor from the last sent issue, else that issue's
 *    watermark, else `firstIssueDays` before now. Its state (a feed's validators) comes from the same cursor.
 * 3. Fetch every source. A failure stops the run when it is the only source, when every source failed,
 *    or with `sourceFailure: "stop"`; otherwise the failed ones are named in the warnings and the report.
 * 4. If every source that answered says nothing changed, stop.
 * 5. Several sources: merge (each in its own window, one bookmark per link).
 * 6. Link check (when configured): the candidates that would fill the issue are checked, and again for those
 *    that take the place of a dead one left out (jobs/check-links.ts). Only candidates are checked, never the feed.
 * 7. Compose (select, group, render within budget) against every link already sent and the check's outcomes.
 * 8. An issue: record the cursors it was composed with (not in a preview). They take effect once it is sent;
 *    a held link keeps them (and the watermark) back so that it is read again.
 */
export async function composeNextIssue(deps: ComposeNextDeps, now: Date, since?: string): Promise<NextIssue> {
  if (deps.sources.length === 0) throw new SourceError('no source is configured');
  const history = await deps.store.history();
  if (history.unfinished) return { kind: 'resume', record: history.unfinished };

  const nowIso = now.toISOString();
  const start =
    since ??
    history.lastSent?.watermark ??
    new Date(now.getTime() - deps.options.firstIssueDays * DAY_MS).toISOString();
  // `--since` asks for a fresh look: no cursor, no conditional request.
  const cursors = since ? {} : await readCursors(deps.store, history.lastSent?.issue);
  const plan: PlannedFetch[] = deps.sources.map((s) => ({ ...s, from: start, ...cursors[s.id] }));
  const { answered, failed } = await fetchSources(plan, nowIso);

  const policy = deps.sourceFailure ?? 'skip';
  if (failed.length > 0 && (answered.length === 0 || policy === 'stop')) throw failure(failed, plan.length, policy);
  const warnings = [
    ...answered.flatMap((a) => a.result.warnings),
    ...failed.map((f) => `${f.error.message}; left out of this issue, its links come in the next issue that reads it`),
  ];
  const sources: SourcesReport | undefined =
    plan.length > 1
      ? {
          read: answered.length,
          failed: failed.map((f) => ({ source: f.source.description, reason: f.error.message })),
        }
      : undefined;

  const from = earliest(answered.map((a) => a.from));
  if (answered.every((a) => a.result.unchanged)) {
    return { kind: 'nothing', reason: `no bookmarks changed since ${from}`, warnings, from };
  }

  let bookmarks: readonly Bookmark[] = answered[0]?.result.bookmarks ?? [];
  let merged = { outsideWindow: 0, duplicate: 0 };
  if (plan.length > 1) {
    const m = mergeSources(
      answered.map((a) => ({ bookmarks: a.result.bookmarks, from: a.from })),
      nowIso,
    );
    bookmarks = m.bookmarks;
    merged = m;
  }
  const input: ComposeInput = {
    bookmarks,
    issueNumber: history.nextIssue,
    from,
    now: nowIso,
    sentLinks: history.sentLinks,
    options: deps.options,
    render: deps.render,
    placeholder: deps.placeholder,
    sampleUnsubscribeUrl: deps.sampleUnsubscribeUrl,
  };
  let checkMs: number | undefined;
  if (deps.linkCheck) {
    const started = Date.now();
    const checked = await checkLinks(deps.linkCheck, input);
    checkMs = Date.now() - started;
    warnings.push(...checked.warnings);
    input.linkCheck = { outcomes: checked.outcomes, policy: deps.linkCheck.policy };
  }
  const result = composeIssue(input);
  if (result.report.linkCheck && checkMs !== undefined) result.report.linkCheck.durationMs = checkMs;
  const report: NextReport = {
    ...result.report,
    outsideWindow: result.report.outsideWindow + merged.outsideWindow,
    duplicate: result.report.duplicate + merged.duplicate,
    ...(sources ? { sources } : {}),
  };
  if (result.kind === 'nothing') return { kind: 'nothing', reason: result.reason, report, warnings, from };

  if (!deps.readOnly) {
    const held = report.linkCheck?.dead.some((d) => d.action === 'held') ?? false;
    const carried = report.carriedByCount + report.carriedBySize > 0 || held;
    const next = nextCursors({ answered, failed, watermark: result.record.watermark, now: nowIso }, carried);
    await writeCursors(deps.store, history.nextIssue, history.lastSent?.issue, next);
  }
  return { kind: 'issue', record: result.record, report, warnings, from };
}
