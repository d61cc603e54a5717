/** How the CLI talks to a person: results on stdout, progress and notes on stderr. */
import type { DeliveryProgress } from '../jobs/consume-issue';
import type { Output } from '../ports/output';

export type { Output };

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

const BAR_WIDTH = 30;

/** 75 → "1m15s", 4000 → "1h06m". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A progress bar on a terminal (redrawn at most 10 times a second); otherwise a log line every 10%
 * or every 5 seconds, whichever comes first, so a CI log or a pipe still shows the send moving.
 */
export function progressReporter(output: Output, now: () => number = Date.now) {
  let lastDraw = 0;
  let lastShare = -1;
  let drawn = false;
  const started = now();
  const line = (p: DeliveryProgress) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? p.sent / seconds : 0;
    const left = p.total - p.done;
    const eta = rate > 0 && left > 0 ? ` · ${formatDuration(left / rate)} left` : '';
    return `${p.done}/${p.total} · sent ${p.sent} · refused ${p.refused} · failed ${p.failed} · skipped ${p.skipped} · ${rate.toFixed(1)}/s${eta}`;
  };
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
