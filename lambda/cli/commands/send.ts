/** `send`: composes the next issue (or resumes an unfinished one) and delivers it to every active subscriber. */
import { readFile } from 'node:fs/promises';
import type { IssueRecord } from '../../core/model';
import { composeNextIssue } from '../../jobs/compose-next';
import { countActiveSubscribers, type DeliverySummary, deliverIssue } from '../../jobs/deliver-issue';
import { seedSubscribers } from '../../jobs/import-subscribers';
import type { App } from '../../wiring';
import { type CommonFlags, composeDeps, openApp } from '../context';
import { type Output, progressReporter } from '../output';
import { describeReport } from '../report';

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
  const app = openApp(flags, output);
  output.err(`config: ${app.origin}`);
  output.err(`source: ${app.source().description}`);
  const message = app.message();

  // One send at a time per store: two runs would compose the same issue number.
  const release = flags.dryRun ? async () => {} : await app.store.lock('send');
  try {
    if (app.subscribersSeed && !flags.dryRun) {
      const seeded = await seedSubscribers(app.store, await readFile(app.subscribersSeed, 'utf8'), now.toISOString());
      if (seeded) output.err(`subscriber list was empty: added ${seeded.added} from ${app.subscribersSeed}`);
    }
    const deps = await composeDeps(app);
    const next = await composeNextIssue(deps, now, flags.since);
    if (next.kind !== 'resume') for (const w of next.warnings) output.err(`warning: ${w}`);
    if (next.kind === 'nothing') {
      if (next.report) for (const line of describeReport(next.report)) output.err(line);
      output.out(`Nothing to send: ${next.reason}. State unchanged (${app.store.description}).`);
      return 0;
    }
    const record = next.record;
    if (next.kind === 'resume') {
      output.err(`resuming issue #${record.issue} (${record.status}, composed ${record.composedAt})`);
    } else {
      for (const line of describeReport(next.report)) output.err(line);
      output.err(
        `composed issue #${record.issue}: "${record.model.subject}" — ${record.model.bookmarkCount} links, HTML ${next.report.htmlBytes.toLocaleString('en')} bytes`,
      );
    }
    if (flags.dryRun) {
      output.out(
        `Dry run: issue #${record.issue} would go to ${await countActiveSubscribers(app.store)} active subscribers via ${app.mailer().description}. Nothing sent, state unchanged.`,
      );
      return 0;
    }
    const anyone = (await app.store.listSubscribers({ status: 'active', limit: 1 })).items.length > 0;
    if (!anyone && next.kind === 'issue') {
      // Sending to nobody would mark these links sent and lose them for good.
      output.out(
        'No active subscribers: nothing sent, state unchanged. Add some with `pinboard-digest subscribers add`.',
      );
      return 1;
    }
    if (next.kind === 'issue') await app.store.createIssue(record);

    const transport = await app.transport();
    if (transport.rate) output.err(`pacing at ${transport.rate}/s, at most ${transport.concurrency} in flight`);
    const progress = progressReporter(output);
    // First Ctrl-C: stop starting sends, let those in flight finish and be recorded. Second: quit now
    // (the ledger still bounds what a rerun can send twice).
    const interrupt = new AbortController();
    const onSigint = () => {
      if (interrupt.signal.aborted) process.exit(130);
      interrupt.abort();
      output.err('\ninterrupted: finishing the messages in flight (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    const summary = await deliverIssue(record, {
      store: app.store,
      mailer: transport.mailer,
      message,
      now: () => new Date(),
      concurrency: transport.concurrency,
      rate: transport.rate,
      acquire: transport.acquire,
      refund: transport.refund,
      onProgress: (p) => progress.update(p),
      signal: interrupt.signal,
    }).finally(() => process.off('SIGINT', onSigint));
    progress.done();
    return summarize(summary, record, app, output);
  } finally {
    await release();
  }
}
