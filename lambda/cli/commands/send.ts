/** `send`: composes the next issue (or resumes an unfinished one) and delivers it to every active subscriber. */
import { normalizeEmail } from '../../core/email';
import { RECIPIENTS_PER_MESSAGE } from '../../core/fleet';
import type { IssueRecord } from '../../core/model';
import { composeNextIssue } from '../../jobs/compose-next';
import { emptyProgress } from '../../jobs/consume-issue';
import { exclusively } from '../../jobs/exclusive';
import { countSubscribers } from '../../jobs/subscriber-pages';
import { sendTestIssue } from '../../jobs/test-send';
import { sizeForRate } from '../../jobs/worker-pool';
import { pluralsFor } from '../../render/plural';
import type { App } from '../../wiring';
import { type Command, isoFlag, UsageError } from '../command';
import { type CommonFlags, composeDeps, openApp } from '../context';
import { type DeliverySummary, deliverInProcess, deliverySummary } from '../deliver';
import { type Output, progressReporter } from '../output';
import { describeReport } from '../report';
import { seedIfEmpty } from '../seed';
import { localSite } from '../site';

export interface SendFlags extends CommonFlags {
  since?: string;
  dryRun?: boolean;
  now?: Date;
}

function summarize(summary: DeliverySummary, record: IssueRecord, app: App, output: Output): number {
  for (const e of summary.errors) output.err(`  ${e}`);
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? ` (${(summary.sent / seconds).toFixed(1)}/s)` : '';
  const counts = `sent ${summary.sent}, refused ${summary.refused}, failed ${summary.failed}, already done ${summary.skipped}, retried ${summary.retried} in ${seconds.toFixed(1)} s${rate}`;
  if (summary.status === 'sent') {
    output.out(`Issue #${record.issue} "${record.model.subject}" delivered: ${counts}.`);
    output.out(`Transport: ${app.mailer().description}. State: ${app.store.description}.`);
    return 0;
  }
  const why = summary.stoppedBy
    ? `stopped: ${summary.stoppedBy}`
    : [
        summary.failed ? `${summary.failed} deliveries failed` : '',
        summary.busy ? `${summary.busy} claimed by another run that is sending them or stopped moments ago` : '',
      ]
        .filter(Boolean)
        .join('; ');
  output.out(`Issue #${record.issue} NOT fully delivered (${why}): ${counts}.`);
  output.out('Run `pinboard-digest send` again to resume: nobody who has it gets it twice.');
  return 1;
}

export async function sendCommand(flags: SendFlags, output: Output): Promise<number> {
  const now = flags.now ?? new Date();
  // A dry run changes nothing: no memo of a source moves either.
  const app = openApp(flags, output, flags.dryRun ?? false);
  output.err(`config: ${app.origin}`);
  output.err(`source: ${app.source().description}`);
  const message = app.message();

  if (flags.dryRun) return await dryRun(app, flags, now, output);
  // One send at a time per store: two runs would compose the same issue number.
  return exclusively(app.store, 'send', async () => {
    await seedIfEmpty(app, now, output);
    // The pipeline of the functions on AWS, in one process (cli/deliver.ts): the producer puts recipients
    // on a bounded in-process queue while the consumer drains it and settles the issue.
    const started = Date.now();
    const progress = emptyProgress();
    const bar = progressReporter(output);
    const interrupt = new AbortController();
    // First Ctrl-C: stop starting sends, let those in flight finish and be recorded. Second: quit now
    // (the ledger still bounds what a rerun can send twice).
    const onSigint = () => {
      if (interrupt.signal.aborted) process.exit(130);
      interrupt.abort();
      output.err('\ninterrupted: finishing the messages in flight (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    try {
      const { outcome, record, drained } = await deliverInProcess({
        queue: app.localQueue(),
        produce: {
          compose: await composeDeps(app),
          site: await localSite(app),
          store: app.store,
          recipientsPerMessage: RECIPIENTS_PER_MESSAGE,
          now: () => now,
          since: flags.since,
          log: (line) => output.err(line),
          // Config `review`: this send is the deadline; the draft goes out only when the review lets it.
          ...(app.config.review ? { review: { mode: app.config.review.mode } } : {}),
        },
        progress,
        onProgress: (p) => bar.update(p),
        consumer: async (issue, info) => {
          for (const w of info.warnings) output.err(`warning: ${w}`);
          if (info.draft) {
            output.err(
              `sending the ${info.draft === 'approved' ? 'approved' : 'reviewed (not held)'} draft of issue #${issue.issue}: "${issue.model.subject}"`,
            );
          } else if (info.report) {
            for (const line of describeReport(info.report)) output.err(line);
            output.err(
              `composed issue #${issue.issue}: "${issue.model.subject}" — ${pluralsFor('en').links(issue.model.bookmarkCount)}, HTML ${info.report.htmlBytes.toLocaleString('en')} bytes`,
            );
          } else {
            output.err(`resuming issue #${issue.issue} (${issue.status}, composed ${issue.composedAt})`);
          }
          const transport = await app.transport();
          if (transport.rate) output.err(`pacing at ${transport.rate}/s, at most ${transport.concurrency} in flight`);
          return {
            mailer: transport.mailer,
            message,
            now: () => new Date(),
            pool: sizeForRate(transport.concurrency, transport.rate),
            acquire: transport.acquire,
            refund: transport.refund,
            signal: interrupt.signal,
          };
        },
      });
      if (outcome?.kind === 'nothing') {
        for (const w of outcome.warnings) output.err(`warning: ${w}`);
        if (outcome.report) for (const line of describeReport(outcome.report)) output.err(line);
        output.out(`Nothing to send: ${outcome.reason}. State unchanged (${app.store.description}).`);
        return 0;
      }
      if (outcome?.kind === 'no-subscribers') {
        for (const w of outcome.warnings) output.err(`warning: ${w}`);
        // Sending to nobody would mark these links sent and lose them for good.
        output.out(
          'No active subscribers: nothing sent, state unchanged. Add some with `pinboard-digest subscribers add`.',
        );
        return 1;
      }
      if (!drained || !record) throw new Error('send: the issue was not handed to the sender');
      const summary = deliverySummary(record.issue, progress, drained, Date.now() - started);
      bar.done();
      return summarize(summary, record, app, output);
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}

/** `--dry-run`: compose as `send` would, report, change nothing. */
async function dryRun(app: App, flags: SendFlags, now: Date, output: Output): Promise<number> {
  const next = await composeNextIssue(await composeDeps(app), now, flags.since);
  if (next.kind !== 'resume') for (const w of next.warnings) output.err(`warning: ${w}`);
  if (next.kind === 'nothing') {
    if (next.report) for (const line of describeReport(next.report)) output.err(line);
    output.out(`Nothing to send: ${next.reason}. State unchanged (${app.store.description}).`);
    return 0;
  }
  if (next.kind === 'issue') for (const line of describeReport(next.report)) output.err(line);
  output.out(
    `Dry run: issue #${next.record.issue} would go to ${await countSubscribers(app.store, { status: 'active' })} active subscribers via ${app.mailer().description}. Nothing sent, state unchanged.`,
  );
  return 0;
}

/** `--to ADDRESS [--issue N]`: one test copy (jobs/test-send.ts); nothing else changes. */
async function testSendCommand(flags: CommonFlags & { to: string; issue?: number; since?: string }, output: Output) {
  const to = normalizeEmail(flags.to);
  if (!to) throw new UsageError(`--to: "${flags.to}" is not a valid email address`);
  const app = openApp(flags, output, true);
  const result = await sendTestIssue(
    {
      // A past issue needs no source (nor its token).
      compose: () => composeDeps(app),
      store: app.store,
      mailer: app.mailer(),
      message: app.message(),
      now: new Date(),
    },
    to,
    { issue: flags.issue, since: flags.since },
  );
  if (result.kind === 'no-such-issue') {
    output.err(
      `There is no issue #${result.issue} in ${app.store.description}; \`pinboard-digest issues list\` shows them.`,
    );
    return 1;
  }
  for (const w of result.warnings) output.err(`warning: ${w}`);
  if (result.kind === 'nothing') {
    output.out(`Nothing to test: ${result.reason}. Try --issue N for a past issue.`);
    return 1;
  }
  output.out(
    `Sent a test of issue #${result.issue}${result.from === 'past' ? '' : ` (the next issue${result.from === 'resume' ? ', composed and not yet fully sent' : ''})`} to ${to}: "${result.subject}" via ${app.mailer().description} (${result.messageId}).`,
  );
  output.out('No state changed: no ledger entry, issue or subscriber was written.');
  return 0;
}

export const send: Command = {
  name: 'send',
  summary: 'compose the next issue (or resume an unfinished one) and deliver it',
  help: `Usage: pinboard-digest send [--config F] [--since ISO] [--dry-run]
       pinboard-digest send --to ADDRESS [--issue N] [--since ISO]

Composes the next issue, or resumes one that was interrupted, and delivers it to every active
subscriber through the configured transport. Exit 0 only if every delivery succeeded or was
refused for good and recorded; otherwise run it again to resume (nobody gets an issue twice).

  --since ISO     start the window here instead of after the last issue
  --dry-run       compose and report, send nothing, change no state
  --to ADDRESS    send one test copy of the next issue (composed as preview does) to ADDRESS,
                  subject marked [TEST]; its unsubscribe link is for a made-up reader, so it
                  unsubscribes nobody; no state changes, no subscriber is mailed
  --issue N       with --to: a test copy of past issue N instead`,
  options: {
    since: { type: 'string' },
    'dry-run': { type: 'boolean' },
    to: { type: 'string' },
    issue: { type: 'string' },
  },
  run: ({ values, common }, output) => {
    const since = isoFlag(values.since, 'since');
    if (values.to === undefined && values.issue !== undefined) throw new UsageError('--issue needs --to ADDRESS');
    if (typeof values.to === 'string') {
      const issue = values.issue === undefined ? undefined : Number(values.issue);
      if (issue !== undefined && !(Number.isInteger(issue) && issue >= 1)) {
        throw new UsageError(`--issue: "${values.issue}" is not an issue number`);
      }
      if (values['dry-run']) throw new UsageError('--to sends one test copy; it cannot be combined with --dry-run');
      return testSendCommand({ ...common, to: values.to, issue, since }, output);
    }
    return sendCommand({ ...common, since, dryRun: values['dry-run'] === true }, output);
  },
};
