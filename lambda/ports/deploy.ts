/**
 * What deploying needs from the world: who the credentials are (STS), whether the region is bootstrapped
 * for CDK (SSM), the CDK toolkit that synthesizes, diffs and deploys the stacks, and Secrets Manager for the
 * Pinboard token. The adapters are in adapters/aws-deploy/, built in deploy/probes.ts; the checks and the
 * order of the steps (deploy/prerequisites.ts, deploy/run.ts) are judged there from what the ports answer.
 */

export interface CallerIdentity {
  account: string;
  /** The principal: a user, or an assumed role's session. */
  arn: string;
}

export interface AccountProbe {
  /** STS GetCallerIdentity; throws what stops the credentials from being used (none, expired, refused). */
  identity(signal: AbortSignal): Promise<CallerIdentity>;
}

export interface BootstrapProbe {
  /** The CDK bootstrap stack's version in this account and region, or undefined when it is not bootstrapped. */
  version(signal: AbortSignal): Promise<number | undefined>;
}

/** What the stacks are deployed from: the config file the CDK app loads, and its `-c` context. */
export interface DeployPlan {
  /** The config the app synthesizes (`-c config=`). */
  configFile: string;
  stacks: { data: string; digest: string };
  /** The CDK context, as `cdk -c key=value` would give it. */
  context: Readonly<Record<string, string>>;
  region: string;
  account: string;
}

export type StackOutputsByName = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface StackToolkit {
  /** Synthesizes and says, per stack, what would change (the toolkit's diff). Changes nothing. */
  diff(plan: DeployPlan): Promise<string>;
  /** Deploys the named stacks (both, or the digest stack alone) and answers each one's outputs. */
  deploy(plan: DeployPlan, which: 'all' | 'digest', progress: (line: string) => void): Promise<StackOutputsByName>;
  /** Bootstraps the account and region for CDK (the staging bucket and roles deploys use). */
  bootstrap(plan: Pick<DeployPlan, 'region' | 'account'>, progress: (line: string) => void): Promise<void>;
}

export interface SecretWriter {
  /** A new version of the secret `arn` holding `value` (Secrets Manager PutSecretValue). Never logged. */
  put(arn: string, value: string): Promise<void>;
}
