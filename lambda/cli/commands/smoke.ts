/** `smoke`: each deployed function invoked in a mode that changes nothing; ✔ or ✗ each, with its log line. */
import { smokeDeployment } from '../../jobs/operate-smoke';
import { smokeLines } from '../../jobs/operate-text';
import { withOperations } from '../../wiring/operate';
import type { Command } from '../command';

export const smoke: Command = {
  name: 'smoke',
  summary: 'after a deploy: invoke each function in a mode that changes nothing, and say which work',
  help: `Usage: pinboard-digest smoke [--config deployed.config.json]

Invokes the four deployed functions, each under its own role, in a mode that changes nothing, and prints
✔ or ✗ for each with the line of its log that explains it (Lambda's log tail):

  compose-issue     composes the next issue as the schedule would, and stores, enqueues and
                    publishes nothing (it says what would go out)
  send-batch        an empty batch: nothing to send
  ses-events        a notice of a type it ignores
  subscription-api  the sign-up page (GET /)

Composing reads the Pinboard API as a run does (and notes the call, for Pinboard's rate limit).
Exit status 0 only if all four answered as they should; 2 without a deployment record (\`deploy\`
writes it into deployed.config.json, which is read when no --config is given).`,
  options: {},
  run: ({ common }, output) =>
    withOperations(common, output, async (ops) => {
      const results = await smokeDeployment(ops.smoke);
      for (const line of smokeLines(results)) output.out(line);
      return results.every((r) => r.ok) ? 0 : 1;
    }),
};
