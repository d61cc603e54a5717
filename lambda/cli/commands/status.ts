/** `status`: whether the deployment sends, when the next issue goes, what is queued, what the last issue did. */
import { deploymentStatus } from '../../jobs/operate';
import { statusLines } from '../../jobs/operate-text';
import { withOperations } from '../../wiring/operate';
import type { Command } from '../command';

export const status: Command = {
  name: 'status',
  summary: 'is the deployment sending or paused, when the next issue goes, and how the last one went',
  help: `Usage: pinboard-digest status [--config deployed.config.json] [--json]

Reads, and changes nothing:
  sending      running, paused, or partly paused (the schedule and send-batch's queue poller disagree)
  next issue   from the schedule's cron expression, in its time zone (the author's)
  queue        batches waiting, being sent, held back for the SES quota
  last issue   its figures from the deployed table (as \`issues list\` gives them)

  --json       the same as JSON

Exit status 0, or 1 when a part could not be read (each such part says why); 2 without a deployment
record (\`deploy\` writes it into deployed.config.json, which is read when no --config is given).`,
  options: { json: { type: 'boolean' } },
  run: ({ values, common }, output) =>
    withOperations(common, output, async (ops) => {
      const report = await deploymentStatus(ops.status);
      if (values.json === true) output.out(JSON.stringify(report, null, 2));
      else for (const line of statusLines(report, ops.status.now())) output.out(line);
      const unread = [report.schedule, report.eventSource, report.queue, report.lastIssue].some((p) => !p.ok);
      return unread ? 1 : 0;
    }),
};
