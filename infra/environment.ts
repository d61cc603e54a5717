/**
 * Which AWS region and account the stacks are for. First `-c region` / `-c account`, then the config's
 * `deploy.region` / `deploy.account`, then the CDK CLI's environment: its account and region once it has
 * resolved credentials (a deploy, or a synth with credentials), or an explicit AWS_REGION. An offline synth
 * with none of these is environment-agnostic: every ARN and name in the template is built from AWS::Region
 * and AWS::AccountId, so it deploys to whichever region the credentials at deploy time name.
 */
import type { Environment } from 'aws-cdk-lib';
import { AWS_ACCOUNT_ID, AWS_REGION_CODE, type DeployConfig } from '../lambda/config';

export interface EnvironmentSources {
  context: { region?: string; account?: string };
  deploy?: DeployConfig;
  /** The app's process environment (the CDK CLI sets CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION). */
  processEnv: NodeJS.ProcessEnv;
}

export interface ResolvedEnvironment {
  env: Environment;
  /** One line for the synth output: the region and account assumed, and where they came from. */
  note: string;
  /** Malformed values (the config's own are checked when it is loaded). */
  refusals: string[];
}

type Found = { value: string; from: string } | undefined;

const first = (...candidates: [string | undefined, string][]): Found => {
  for (const [value, from] of candidates) {
    const v = value?.trim();
    if (v) return { value: v, from };
  }
  return undefined;
};

export function resolveEnvironment({ context, deploy, processEnv: e }: EnvironmentSources): ResolvedEnvironment {
  // CDK_DEFAULT_REGION is always set by the CLI, to us-east-1 when it knows nothing: trusted only beside the
  // account it resolved from credentials, i.e. when the CLI really knows where it deploys.
  const cliKnows = Boolean(e.CDK_DEFAULT_ACCOUNT?.trim());
  const region = first(
    [context.region, '-c region'],
    [deploy?.region, 'deploy.region in the config'],
    [e.AWS_REGION, 'AWS_REGION'],
    [e.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    [cliKnows ? e.CDK_DEFAULT_REGION : undefined, "the CDK CLI's credentials"],
  );
  const account = first(
    [context.account, '-c account'],
    [deploy?.account, 'deploy.account in the config'],
    [e.CDK_DEFAULT_ACCOUNT, "the CDK CLI's credentials"],
  );
  const regionNote = region
    ? `region ${region.value} (from ${region.from})`
    : 'no region given (-c region, deploy.region in the config, or AWS_REGION): region-agnostic templates, for the region of the credentials at deploy time';
  const accountNote = account
    ? `account ${account.value} (from ${account.from})`
    : 'account-agnostic (the account of the credentials at deploy time)';
  const refusals: string[] = [];
  if (region && !AWS_REGION_CODE.test(region.value)) {
    refusals.push(`${region.from}: ${JSON.stringify(region.value)} is not an AWS region code, e.g. eu-west-1`);
  }
  if (account && !AWS_ACCOUNT_ID.test(account.value)) {
    refusals.push(`${account.from}: ${JSON.stringify(account.value)} is not a 12-digit AWS account id`);
  }
  return {
    env: { region: region?.value, account: account?.value },
    note: `${regionNote}; ${accountNote}`,
    refusals,
  };
}
