/** Peak resident memory of a child process, as Linux counts it (VmHWM in /proc/PID/status). */
import { readFileSync } from 'node:fs';

/** Samples `pid` every `everyMs` until `stop()`, which returns the highest VmHWM seen, in kB. */
export function trackPeakMemory(pid: number | undefined, everyMs = 50): { stop: () => number } {
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (hwm) peakKb = Math.max(peakKb, Number(hwm));
    } catch {
      // the process has exited
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(poll);
      return peakKb;
    },
  };
}
