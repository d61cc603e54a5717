/**
 * The steps of `deploy`, in their order, over the toolkit and Secrets Manager ports:
 *
 * 1. The site's address. A public `siteUrl` in the config (a custom domain) is deployed as it is. A config
 *    whose `siteUrl` is this machine (what `serve` uses) gets the distribution's address: from the last
 *    deploy (`deployed.config.json`), or, on the first, a placeholder now and the real one in step 5.
 * 2. Both stacks deploy from a config written beside the author's (relative paths resolve as in it), with the
 *    context the config implies (region, account, alarm destination).
 * 3. `deployed.config.json` is written as soon as the stacks stand: the deployed store, transport and the
 *    deployment record (every name the stacks output), so every other command works against the deployment.
 * 4. The Pinboard token from the environment goes into its secret: once, never printed, never in a template.
 * 5. Only on a first deploy: the digest stack again with the distribution's address as `siteUrl`.
 *
 * A dry run writes the config the stacks would be synthesized from, prints the toolkit's diff, and removes it.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEPLOYED_CONFIG_FILE, type DigestConfig, type LoadedConfig, parseConfig } from '../config';
import { parseJsonc } from '../core/jsonc';
import type { DeployPlan, SecretWriter, StackToolkit } from '../ports/deploy';
import { stackNames } from './names';
import { deploymentFromOutputs } from './outputs';
import { unreachableFromLambda } from './refusals';

/** Where every other command finds the deployment: beside the author's config. */
export const DEPLOYED_CONFIG = DEPLOYED_CONFIG_FILE;
/** What the stacks are synthesized from while a deploy runs (removed when it ends). */
export const PENDING_CONFIG = '.deploy.config.json';
/** The first deploy's `siteUrl` until the distribution exists: a reserved name (RFC 2606) no mail can reach. */
export const PENDING_SITE_URL = 'https://site-address-pending.invalid';

export interface DeployInput {
  /** The author's config file, as given (`--config`, or ./digest.config.json). */
  configFile: string;
  /** Its text: written back with the deployment's keys, the author's own keys as they are. */
  configText: string;
  loaded: LoadedConfig;
  region: string;
  account: string;
  /** The alarm destination (`--alarm-email`, `deploy.alarmEmail`), or `none`. */
  alarmEmail?: string;
  alarms?: 'none';
  /** PINBOARD_TOKEN from the environment: stored in its secret, never anywhere else. */
  token?: string;
  /** The deployment record of the last deploy, from deployed.config.json, if there is one. */
  previous?: DigestConfig['deployment'];
  dryRun?: boolean;
  now: () => Date;
}

export interface DeploySteps {
  toolkit: StackToolkit;
  secrets: SecretWriter;
  log: (line: string) => void;
}

export type DeployOutcome =
  | {
      kind: 'deployed';
      deployment: NonNullable<DigestConfig['deployment']>;
      deployedFile: string;
      /** Toolkit deploys made: 2 on a first deploy that had to learn the site's address. */
      rounds: number;
      tokenStored: boolean;
    }
  | { kind: 'dry-run'; diff: string };

/** The author's keys (their file), with `overrides` laid over them: what the stacks are built from. */
function withKeys(input: DeployInput, overrides: Record<string, unknown>): Record<string, unknown> {
  const raw = parseJsonc(input.configText) as Record<string, unknown>;
  const { subscribersSeed: _seed, deployment: _old, ...own } = raw;
  return { ...own, ...overrides };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, file);
}

export async function runDeploy(input: DeployInput, steps: DeploySteps): Promise<DeployOutcome> {
  const { config } = input.loaded;
  const dir = path.dirname(path.resolve(input.configFile));
  const pending = path.join(dir, PENDING_CONFIG);
  const deployedFile = path.join(dir, DEPLOYED_CONFIG);
  const stacks = stackNames(config);
  const plan: DeployPlan = {
    configFile: pending,
    stacks,
    region: input.region,
    account: input.account,
    context: {
      config: pending,
      region: input.region,
      account: input.account,
      ...(input.alarmEmail ? { alarmEmail: input.alarmEmail } : { alarms: 'none' }),
    },
  };
  const custom = !unreachableFromLambda(config.siteUrl);
  const siteUrl = custom ? config.siteUrl : (input.previous?.siteUrl ?? PENDING_SITE_URL);
  const synthFrom = (url: string) => writeJson(pending, withKeys(input, { siteUrl: url }));

  try {
    await synthFrom(siteUrl);
    if (input.dryRun) return { kind: 'dry-run', diff: await steps.toolkit.diff(plan) };

    steps.log(`deploying ${stacks.data} and ${stacks.digest} to ${input.region} (account ${input.account})`);
    const outputs = await steps.toolkit.deploy(plan, 'all', steps.log);
    const read = (stack: string) => outputs[stack] ?? {};
    let deployment = deploymentFromOutputs(
      { region: input.region, account: input.account, stacks },
      { data: read(stacks.data), digest: read(stacks.digest) },
      input.now().toISOString(),
    );
    const liveSiteUrl = custom ? config.siteUrl : deployment.siteUrl;
    const record = () => {
      const maxSendRate = config.transport.type === 'ses' ? config.transport.maxSendRate : undefined;
      const deployed = withKeys(input, {
        siteUrl: liveSiteUrl,
        store: { type: 'dynamodb', table: deployment.table },
        transport: {
          type: 'ses',
          configurationSet: deployment.configurationSet,
          ...(maxSendRate ? { maxSendRate } : {}),
        },
        deployment,
      });
      parseConfig(deployed, deployedFile); // a record that does not load is a bug: say so before writing it
      return writeJson(deployedFile, deployed);
    };
    await record();
    steps.log(`wrote ${deployedFile}`);

    let tokenStored = false;
    if (input.token) {
      await steps.secrets.put(deployment.secrets.pinboardToken, input.token);
      tokenStored = true;
      steps.log('stored the Pinboard token in its secret');
    }

    let rounds = 1;
    if (siteUrl !== liveSiteUrl) {
      steps.log(`siteUrl is now ${liveSiteUrl}: deploying ${stacks.digest} again with it`);
      await synthFrom(liveSiteUrl);
      await steps.toolkit.deploy(plan, 'digest', steps.log);
      rounds++;
      deployment = { ...deployment, deployedAt: input.now().toISOString() };
      await record();
    }
    return { kind: 'deployed', deployment, deployedFile, rounds, tokenStored };
  } finally {
    await rm(pending, { force: true });
  }
}
