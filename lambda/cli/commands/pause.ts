/** `pause` and `resume`: stop and restart sending on AWS (the schedule and send-batch's queue poller). */
import { pauseSending, resumeSending } from '../../jobs/operate';
import { pauseLines, resumeLines } from '../../jobs/operate-text';
import { withOperations } from '../../wiring/operate';
import type { Command } from '../command';

const WHERE = `The deployment is the one in --config, else ./deployed.config.json (\`deploy\` writes it);
without its deployment record the exit status is 2.`;

export const pause: Command = {
  name: 'pause',
  summary: 'stop sending on AWS: the schedule and the send queue poller; queued batches wait',
  help: `Usage: pinboard-digest pause [--config deployed.config.json]

Stops sending: first the EventBridge Scheduler schedule (no issue is composed), then send-batch's
SQS event source (no batch is sent; one being sent finishes), and waits until Lambda says it is
disabled. Prints what is on the send queue: those batches stay there, nothing is lost, until
\`pinboard-digest resume\` (the queue keeps a message for its retention period, 14 days as deployed).

${WHERE}`,
  options: {},
  run: ({ common }, output) =>
    withOperations(common, output, async (ops) => {
      for (const line of pauseLines(await pauseSending(ops.sending))) output.out(line);
      return 0;
    }),
};

export const resume: Command = {
  name: 'resume',
  summary: 'start sending on AWS again: the queued batches go out, the schedule runs',
  help: `Usage: pinboard-digest resume [--config deployed.config.json]

Starts send-batch's SQS event source first (what was queued while paused goes out, each reader
once: the ledger keeps who has had an issue), then the schedule, and prints when the next issue goes.

${WHERE}`,
  options: {},
  run: ({ common }, output) =>
    withOperations(common, output, async (ops) => {
      for (const line of resumeLines(await resumeSending(ops.sending), ops.sending.now())) output.out(line);
      return 0;
    }),
};
