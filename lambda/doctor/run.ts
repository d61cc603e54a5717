/**
 * Runs doctor's checks side by side, each within a time limit: a check that does not finish in time is
 * aborted (its probe's signal fires) and reported as failed with its fix, so doctor never hangs. A check that
 * throws is a failure too. Secrets that reach a message by any road are blanked before anything is shown.
 */
import { type Check, type CheckResult, fail } from './check';

export interface RunOptions {
  timeoutMs: number;
  /** Values never to show (tokens, keys): replaced by "…" wherever they occur. */
  secrets?: readonly (string | undefined)[];
}

async function runOne(check: Check, timeoutMs: number): Promise<CheckResult[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`));
      resolve(fail(check.id, check.title, `no answer within ${timeoutMs / 1000} s`, check.fix));
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([
      check.run(controller.signal).catch((error: Error) => fail(check.id, check.title, error.message, check.fix)),
      late,
    ]);
    return Array.isArray(result) ? result : [result];
  } finally {
    clearTimeout(timer);
  }
}

export function redact(result: CheckResult, secrets: readonly string[]): CheckResult {
  const blank = (text: string) => secrets.reduce((t, s) => t.split(s).join('…'), text);
  return { ...result, detail: blank(result.detail), ...(result.fix ? { fix: blank(result.fix) } : {}) };
}

/** Every check's result(s), in the order the checks are given. */
export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<CheckResult[]> {
  // Each key of a rotating secret, and a Pinboard token's HEX part (its user name is no secret), count too.
  // Short values could blank ordinary words; real secrets are long.
  const secrets = (options.secrets ?? [])
    .flatMap((s) => (s ? [s.trim(), ...s.trim().split(/\s+/), s.trim().replace(/^[^:]*:/, '')] : []))
    .filter((s) => s.length >= 8);
  const results = await Promise.all(checks.map((c) => runOne(c, options.timeoutMs)));
  return results.flat().map((r) => redact(r, secrets));
}
