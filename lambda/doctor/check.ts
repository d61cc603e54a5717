/**
 * What one doctor check reports: pass (✔), fail (✗, with the fix), warn (⚠, advisory: nothing stops, but look)
 * or skip (–, does not apply to this config). Pure: the checks' judgements are made from what the probes found.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable, for scripts: `pinboard-token`, `ses-identity`, `dns-spf`… */
  id: string;
  /** Short, for people: "Pinboard token". */
  title: string;
  status: CheckStatus;
  /** What was found, in one line. */
  detail: string;
  /** What to do, for a failure or a warning. */
  fix?: string;
}

type Make = (id: string, title: string, detail: string, fix?: string) => CheckResult;

export const pass: Make = (id, title, detail) => ({ id, title, status: 'pass', detail });
export const warn: Make = (id, title, detail, fix) => ({ id, title, status: 'warn', detail, ...(fix ? { fix } : {}) });
export const fail: Make = (id, title, detail, fix) => ({ id, title, status: 'fail', detail, ...(fix ? { fix } : {}) });
export const skip: Make = (id, title, detail) => ({ id, title, status: 'skip', detail });

/** One check as the runner sees it: a name, and the work that finds its result(s). */
export interface Check {
  id: string;
  title: string;
  /** The fix to print when the check gets no answer in time, or breaks in a way it does not judge. */
  fix: string;
  run: (signal: AbortSignal) => Promise<CheckResult | CheckResult[]>;
}
