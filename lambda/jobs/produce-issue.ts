/**
 * Producing an issue: what runs on the schedule (the compose-issue Lambda) and at the start of every CLI
 * `send`. It composes the next issue once, stores it, publishes it and puts its recipients on the send
 * queue; or carries an unfinished issue forward. The only place an issue moves to `sending`. Delivery is
 * the consumer's (consume-issue.ts), on the other side of the queue.
 */
import type { ComposeReport } from '../core/compose';
import type { IssueRecord } from '../core/model';
import { offeredSections } from '../core/prefs';
import { type DraftFile, type DraftState, deadlineDecision, type ReviewMode } from '../core/review';
import { readMemo } from '../ports/memo';
import { REVIEW_DRAFTS } from '../ports/memo-kinds';
import type { SendQueue } from '../ports/queue';
import type { Store } from '../ports/store';
import { type ComposeNextDeps, composeNextIssue, type NextIssue, type NextReport } from './compose-next';
import { settleIssue } from './consume-issue';
import { enqueueIssue, readEnqueueProgress } from './enqueue-issue';
import { exclusively } from './exclusive';
import { publishIssue, type SiteDeps } from './publish-site';
import { draftAtDeadline, recordMissed, recordSent } from './review';

export type ProduceOutcome =
  | {
      kind: 'enqueued';
      record: IssueRecord;
      /** A new issue (with its compose report), or an unfinished one carried forward. */
      composed: boolean;
      report?: ComposeReport;
      recipients: number;
      batches: number;
      alreadyDone: number;
      warnings: string[];
    }
  | { kind: 'busy'; record: IssueRecord; pending: number }
  | { kind: 'nothing'; reason: string; report?: ComposeReport; warnings: string[] }
  | { kind: 'no-subscribers'; record: IssueRecord; warnings: string[] };

export interface ProduceDeps {
  compose: ComposeNextDeps;
  store: Store;
  queue: SendQueue;
  recipientsPerMessage: number;
  /** Subscribers read a page while enqueueing (default 500). */
  pageSize?: number;
  now: () => Date;
  since?: string;
  log?: (line: string) => void;
  /**
   * The archive: the issue's page, the index and the feeds are written here before any recipient is
   * enqueued, so "View in your browser" works from the first email. A failed write stops the run (the
   * issue stays unfinished and the next run publishes it again).
   */
  site?: SiteDeps;
  /** Called once the issue to send is known, before its recipients are enqueued (the CLI starts draining here). */
  onIssue?: (
    record: IssueRecord,
    info: {
      composed: boolean;
      report?: ComposeReport;
      warnings: string[];
      /** The issue is the author's draft, approved (or in `auto` mode, not held): its state then. */
      draft?: DraftState;
    },
  ) => void | Promise<void>;
  /** Told how many of a page the ledger already shows done (a resumed issue). */
  onAlreadyDone?: (count: number) => void;
  /**
   * Config `review`: this run is the deadline. The next issue is its draft when the author approved it (or,
   * in `auto` mode, did not hold it); otherwise nothing is sent and the outcome says why. In `auto` mode
   * with no draft made, the issue is composed as without review.
   */
  review?: { mode: ReviewMode };
}

/**
 * Inputs: compose dependencies, the store, the queue. Output: what happened.
 * 1. Take the `compose` lock: a duplicated invocation waits its turn, then finds the work done.
 * 2. An unfinished issue comes first. Not yet fully enqueued (a crash, a retry): enqueue the rest from the
 *    saved cursor. Fully enqueued and batches still queued: nothing to do (`busy`). Queue empty: settle it
 *    (consume-issue.ts: marked sent if every active subscriber has it) and go on to step 3; else enqueue those still missing.
 * 3. Compose the next issue. Nothing new: stop, state unchanged. Nobody subscribed: stop, state unchanged
 *    (sending to nobody would mark the links sent). Else store it, mark it `sending`, enqueue its recipients.
 * Whichever issue goes out is put on the site (`deps.site`) before its first recipient is enqueued.
 */
export async function produceIssue(deps: ProduceDeps): Promise<ProduceOutcome> {
  return exclusively(deps.store, 'compose', async () => {
    const enqueueDeps = {
      store: deps.store,
      queue: deps.queue,
      recipientsPerMessage: deps.recipientsPerMessage,
      pageSize: deps.pageSize,
      log: deps.log,
      onAlreadyDone: deps.onAlreadyDone,
      // Readers' choices: the whole issue, a variant of their sections, a round-up, or nothing this time (core/prefs.ts).
      shares: {
        render: deps.compose.render,
        now: deps.now,
        offered: offeredSections(deps.compose.options),
        timeZone: deps.compose.options.timeZone ?? 'UTC',
        budget: {
          maxHtmlBytes: deps.compose.options.maxHtmlBytes,
          sampleUnsubscribeUrl: deps.compose.sampleUnsubscribeUrl,
        },
      },
    };
    for (;;) {
      const next = await nextToSend(deps);
      if (next.kind === 'nothing')
        return { kind: 'nothing', reason: next.reason, report: next.report, warnings: next.warnings };
      if (next.kind === 'resume') {
        const record = next.record;
        await deps.store.advanceIssue(record.issue, 'composed', 'sending', deps.now().toISOString());
        const progress = await readEnqueueProgress(deps.store, record.issue);
        // Batches of an in-process queue died with the run that queued them: start over from the ledger.
        const again = !deps.queue.durable || (progress?.done ?? false);
        if (deps.queue.durable && progress?.done) {
          const pending = await deps.queue.pending();
          if (pending > 0) return { kind: 'busy', record, pending };
          const finish = await settleIssue(record, { store: deps.store, now: deps.now });
          if (finish.finished) {
            deps.log?.(`issue #${record.issue}: every active subscriber has it; marked sent`);
            continue;
          }
          deps.log?.(
            `issue #${record.issue}: ${finish.missing} active subscriber(s) still without it; enqueueing them`,
          );
        }
        await publishToSite(record, deps);
        await deps.onIssue?.(record, { composed: false, warnings: [] });
        const summary = await enqueueIssue(record, enqueueDeps, { resumed: true, again });
        return { kind: 'enqueued', record, composed: false, ...summary, warnings: [] };
      }
      const { record, report, warnings, draft } = next;
      const anyone = (await deps.store.listSubscribers({ status: 'active', limit: 1 })).items.length > 0;
      if (!anyone) return { kind: 'no-subscribers', record, warnings };
      await deps.store.createIssue(record);
      if (draft) await recordSent(deps.store, draft, deps.now());
      await deps.store.advanceIssue(record.issue, 'composed', 'sending', deps.now().toISOString());
      await publishToSite(record, deps);
      await deps.onIssue?.(record, {
        composed: true,
        report,
        warnings,
        ...(draft ? { draft: draft.current.state } : {}),
      });
      const summary = await enqueueIssue(record, enqueueDeps, { resumed: false });
      return { kind: 'enqueued', record, composed: true, report, ...summary, warnings };
    }
  });
}

type ToSend =
  | Exclude<NextIssue, { kind: 'issue' }>
  | { kind: 'issue'; record: IssueRecord; report?: NextReport; warnings: string[]; draft?: DraftFile };

/**
 * What the run delivers: an unfinished issue, else (with review) the next issue's draft if the deadline
 * lets it go, else a newly composed issue. A draft that may not go is recorded as missed, with the reason.
 */
async function nextToSend(deps: ProduceDeps): Promise<ToSend> {
  const compose = () => composeNextIssue(deps.compose, deps.now(), deps.since);
  if (!deps.review) return compose();
  const history = await deps.store.history();
  if (history.unfinished) return compose();
  const file = await readMemo(deps.store, REVIEW_DRAFTS, history.nextIssue);
  const decision = deadlineDecision(file?.current, deps.review.mode);
  if (!decision.send) {
    if (file) await recordMissed(deps.store, file, decision.reason, deps.now());
    return { kind: 'nothing', reason: decision.reason, warnings: [], from: '' };
  }
  if (!file) return compose();
  const last = await draftAtDeadline(deps, file.current);
  if (last.kind === 'nothing') {
    await recordMissed(deps.store, file, last.reason, deps.now());
    return {
      kind: 'nothing',
      reason: `the draft of issue #${file.current.issue} is not sent: ${last.reason}`,
      warnings: [],
      from: '',
    };
  }
  const warnings = last.dropped.length
    ? [
        `left out of the draft at its deadline (deleted or made private since): ${last.dropped.map((t) => `"${t}"`).join(', ')}`,
      ]
    : [];
  return { kind: 'issue', record: last.record, warnings, draft: file };
}

async function publishToSite(record: IssueRecord, deps: ProduceDeps): Promise<void> {
  if (!deps.site) return;
  const done = await publishIssue(record, deps.site);
  deps.log?.(
    `site: issue #${record.issue} published (${done.files} files, ${done.issues} issues) to ${deps.site.publisher.description}`,
  );
}
