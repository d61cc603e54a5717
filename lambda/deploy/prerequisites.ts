/**
 * What must hold before `deploy` changes anything, in two rounds. First what needs no account: the config can
 * run on Lambda (the refusals the CDK app makes, named by key), alarms have a destination, a region is known.
 * Then, with the credentials: who they are (STS), whether CDK is bootstrapped in that account and region, and
 * doctor's SES and DNS checks for the From address (identity verified with DKIM, sandbox, rate; SPF, DMARC).
 * Pure: the probes come in ready-made (probes.ts), doctor's runner runs the checks.
 */
import { AWS_REGION_CODE, type LoadedConfig } from '../config';
import { type Check, fail, pass } from '../doctor/check';
import { dnsChecks } from '../doctor/checks/dns';
import { sesChecks } from '../doctor/checks/ses';
import type { DnsProbe, SesProbe } from '../doctor/ports';
import type { AccountProbe, BootstrapProbe } from '../ports/deploy';
import { alarmRefusals, lambdaRefusals } from './refusals';

export interface DeployChoices {
  /** `--region`, else the config's `deploy.region`, else the AWS SDK's (AWS_REGION, the profile's). */
  region?: { value: string; from: string };
  /** `--alarm-email`, else the config's `deploy.alarmEmail`. */
  alarmEmail?: string;
  /** `--no-alarms`: deploy knowingly without an alarm destination. */
  alarms?: string;
}

/** The CDK bootstrap version the toolkit needs (the modern, role-based template). */
export const MIN_BOOTSTRAP_VERSION = 6;

/**
 * Problems found without an account, each naming the key or flag and the fix; empty when there are none.
 * `siteUrlPending`: the archive's address is made by this deploy (the config's is this machine's), so the
 * loopback siteUrl is no refusal here.
 */
export function offlineRefusals(loaded: LoadedConfig, choices: DeployChoices, siteUrlPending: boolean): string[] {
  const siteUrl = /^siteUrl /;
  const refusals = lambdaRefusals(loaded).filter((r) => !(siteUrlPending && siteUrl.test(r)));
  refusals.push(...alarmRefusals({ alarmEmail: choices.alarmEmail, alarms: choices.alarms }).refusals);
  if (!choices.region) {
    refusals.push(
      'no region: give --region eu-west-1 (or "deploy": { "region": … } in the config, or AWS_REGION, or a profile with a region)',
    );
  } else if (!AWS_REGION_CODE.test(choices.region.value)) {
    refusals.push(
      `${choices.region.from}: ${JSON.stringify(choices.region.value)} is not an AWS region code, e.g. eu-west-1`,
    );
  }
  return refusals;
}

export interface AccountProbes {
  account: AccountProbe;
  bootstrap: BootstrapProbe;
  ses: SesProbe;
  dns: DnsProbe;
}

const CREDENTIALS = { id: 'aws-credentials', title: 'AWS credentials' };
const BOOTSTRAP = { id: 'cdk-bootstrap', title: 'CDK bootstrap' };

const CREDENTIALS_FIX =
  'sign in first: `aws configure` (access keys), `aws sso login --profile P` then --profile P, or set AWS_PROFILE';

/** The checks that need the account, in the order they are printed. */
export function accountChecks(input: {
  from: string;
  region: string;
  maxSendRate?: number;
  probes: AccountProbes;
}): Check[] {
  const { probes, region } = input;
  return [
    {
      ...CREDENTIALS,
      fix: CREDENTIALS_FIX,
      run: async (signal) => {
        try {
          const who = await probes.account.identity(signal);
          return pass(CREDENTIALS.id, CREDENTIALS.title, `account ${who.account} as ${who.arn}, region ${region}`);
        } catch (error) {
          return fail(CREDENTIALS.id, CREDENTIALS.title, (error as Error).message, CREDENTIALS_FIX);
        }
      },
    },
    {
      ...BOOTSTRAP,
      fix: bootstrapFix(region),
      run: async (signal) => {
        const version = await probes.bootstrap.version(signal);
        if (version === undefined) {
          return fail(BOOTSTRAP.id, BOOTSTRAP.title, `${region} is not bootstrapped for CDK`, bootstrapFix(region));
        }
        if (version < MIN_BOOTSTRAP_VERSION) {
          return fail(
            BOOTSTRAP.id,
            BOOTSTRAP.title,
            `${region} has bootstrap version ${version}; the toolkit needs ${MIN_BOOTSTRAP_VERSION} or later`,
            bootstrapFix(region),
          );
        }
        return pass(BOOTSTRAP.id, BOOTSTRAP.title, `${region}: bootstrap version ${version}`);
      },
    },
    ...sesChecks(probes.ses, input.from, input.maxSendRate),
    ...dnsChecks(probes.dns, input.from, true),
  ];
}

function bootstrapFix(region: string): string {
  return `run \`pinboard-digest deploy --bootstrap\` (it bootstraps ${region} once, then deploys), or \`npx cdk bootstrap\``;
}
