/** How the CLI talks to a person: results on stdout, progress and notes on stderr. */
import type { DeliveryProgress } from '../jobs/deliver-issue';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

const BAR_WIDTH = 30;

/**
 * A progress bar on a terminal (redrawn at most 10 times a second); otherwise a log line every 10%
 * or every 5 seconds, whichever comes first, so a CI log or a pipe still shows the send moving.
 */
export function progressReporter(output: Output, now: () => number = Date.now) {
  let lastDraw = 0;
  let lastShare = -1;
  let drawn = false;
  const line = (p: DeliveryProgress) =>
    `${p.done}/${p.total} · sent ${p.sent} · refused ${p.refused} · failed ${p.failed} · skipped ${p.skipped}`;
  return {
    update(p: DeliveryProgress) {
      const t = now();
      const finished = p.done >= p.total;
      if (output.isTTY) {
        if (!finished && t - lastDraw < 100) return;
        lastDraw = t;
        const filled = p.total === 0 ? BAR_WIDTH : Math.round((p.done / p.total) * BAR_WIDTH);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${line(p)}\x1b[K`);
        drawn = true;
        return;
      }
      const share = p.total === 0 ? 10 : Math.floor((p.done / p.total) * 10);
      if (share > lastShare || t - lastDraw >= 5000 || finished) {
        if (finished && share === lastShare && t - lastDraw < 5000) return;
        lastShare = share;
        lastDraw = t;
        output.err(`sending: ${line(p)}`);
      }
    },
    done() {
      if (output.isTTY && drawn) process.stderr.write('\n');
    },
  };
}
