/**
 * `doctor [--json]`: is this digest ready to send? Each check one line with ✔, ✗ (and the fix) or ⚠ (advisory):
 * config, templates, signing secret, store, Pinboard token, each other source (read once), SES identity and
 * account, SPF and DMARC, the site and its unsubscribe route. Checks run side by side within --timeout each;
 * exit status 1 on any ✗. Changes no state
 * (a Pinboard call is stamped in the store, as every call is, to keep Pinboard's 3-second spacing).
 */
import { loadConfig } from '../../config';
import { DigestError } from '../../core/errors';
import type { CheckResult } from '../../doctor/check';
import { judgeConfig } from '../../doctor/checks/local';
import { formatJson, formatText, summarize } from '../../doctor/format';
import { doctorChecks } from '../../doctor/plan';
import { createProbes } from '../../doctor/probes';
import { runChecks } from '../../doctor/run';
import { ENV } from '../../env';
import { buildApp } from '../../wiring';
import { type Command, stringFlag, UsageError } from '../command';
import type { CommonFlags } from '../context';
import type { Output } from '../output';

export const DEFAULT_TIMEOUT_SECONDS = 10;

export interface DoctorFlags extends CommonFlags {
  json?: boolean;
  timeoutSeconds?: number;
}

function report(results: CheckResult[], json: boolean, output: Output): number {
  if (json) output.out(formatJson(results));
  else for (const line of formatText(results)) output.out(line);
  return summarize(results).ok ? 0 : 1;
}

export async function doctorCommand(flags: DoctorFlags, output: Output, env = process.env): Promise<number> {
  const timeoutMs = (flags.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(flags.config);
  } catch (error) {
    if (!(error instanceof DigestError)) throw error;
    return report([judgeConfig('', error)], flags.json ?? false, output);
  }
  // Read-only, and each source call tried once within the time a check has.
  const app = buildApp(loaded, { stateDir: flags.state, env, readOnly: true, probe: { timeoutMs } });
  const checks = doctorChecks({
    config: app.config,
    templatesDir: app.templatesDir,
    stateDir: app.stateDir,
    signingSecret: env[ENV.signingSecret],
    probes: createProbes(app, env, timeoutMs),
  });
  const results = await runChecks(checks, {
    timeoutMs,
    secrets: [env[ENV.pinboardToken], env[ENV.signingSecret], env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN],
  });
  return report([judgeConfig(app.origin), ...results], flags.json ?? false, output);
}

function secondsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300)
    throw new UsageError(`--timeout: "${value}" is not a number of seconds (1–300)`);
  return n;
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check the config, secrets, store, Pinboard, SES, DNS and site: each ✔ or ✗ with the fix',
  help: `Usage: pinboard-digest doctor [--config F] [--json] [--timeout SECONDS]

Checks, one line each (✔ passed, ✗ failed with the fix, ⚠ worth a look, – not applicable):
  the config parses; the templates compile; the signing secret is long enough; the store is reachable;
  the Pinboard token works (one posts/update call, within Pinboard's limits; pinboard-api sources only);
  every other source is read once, as send reads it: a feed answers and parses, a bookmark file exists
  and parses, a Pinboard user's public feed exists and holds bookmarks;
  with SES: the From domain is a verified identity with DKIM, sending is enabled, sandbox or not, the
  send rate and what is left of the 24-hour quota (SES v2 GetAccount, GetEmailIdentity), and the From
  domain's SPF and DMARC records; siteUrl answers and serves the unsubscribe route.
Exit status 1 if any check fails. Secrets are never printed.

  --json          one JSON object: { ok, counts, checks: [{ id, title, status, detail, fix }] }
  --timeout S     seconds each check may take (default ${DEFAULT_TIMEOUT_SECONDS})

Environment: AWS_REGION and credentials (SES, DynamoDB), AWS_ENDPOINT_URL_SESV2 for another SES v2
endpoint, ${ENV.dnsServers} for other DNS servers (e.g. 1.1.1.1).`,
  options: { json: { type: 'boolean' }, timeout: { type: 'string' } },
  run: ({ values, common }, output) =>
    doctorCommand(
      { ...common, json: values.json === true, timeoutSeconds: secondsFlag(stringFlag(values.timeout)) },
      output,
    ),
};
