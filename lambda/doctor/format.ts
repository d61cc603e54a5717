/** Doctor's results for people (one line a check) and for scripts (`--json`). Pure. */
import type { CheckResult, CheckStatus } from './check';

export const MARKS: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✗', skip: '–' };

export interface DoctorSummary {
  ok: boolean;
  counts: Record<CheckStatus, number>;
}

export function summarize(results: readonly CheckResult[]): DoctorSummary {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return { ok: counts.fail === 0, counts };
}

/** `✗ Pinboard token: Pinboard refused the token (HTTP 401). Fix: …` — one line each, then the tally. */
export function formatText(results: readonly CheckResult[]): string[] {
  const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const lines = results.map((r) => {
    const fix = r.fix && (r.status === 'fail' || r.status === 'warn') ? ` — fix: ${oneLine(r.fix)}` : '';
    return `${MARKS[r.status]} ${r.title}: ${oneLine(r.detail)}${fix}`;
  });
  const { ok, counts } = summarize(results);
  const parts = [`${counts.pass} passed`, `${counts.warn} to look at`, `${counts.fail} failed`];
  if (counts.skip > 0) parts.push(`${counts.skip} not applicable`);
  lines.push('', `${parts.join(', ')}: ${ok ? 'ready.' : 'fix the ✗ lines above, then run doctor again.'}`);
  return lines;
}

/** `{ ok, counts, checks: [{ id, title, status, detail, fix? }] }` for `doctor --json`. */
export function formatJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ ...summarize(results), checks: results }, null, 2);
}
