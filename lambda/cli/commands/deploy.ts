/**
 * `deploy`: a config that works locally, live on AWS. Checks first and stops before any change if something is
 * missing (what needs no account, then the account: lambda/deploy/prerequisites.ts), then deploys both stacks
 * through the CDK toolkit and writes deployed.config.json (lambda/deploy/run.ts), and ends with the addresses,
 * the next issue, what it costs a month, and a smoke test of each deployed function.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type LoadedConfig, loadConfig } from '../../config';
import { issuesPerMonth, monthlyCost } from '../../deploy/cost';
import { accountChecks, type DeployChoices, offlineRefusals } from '../../deploy/prerequisites';
import { deployAdapters } from '../../deploy/probes';
import { unreachableFromLambda } from '../../deploy/refusals';
import { DEPLOYED_CONFIG, runDeploy } from '../../deploy/run';
import { formatText, summarize } from '../../doctor/format';
import { runChecks } from '../../doctor/run';
import { ENV } from '../../env';
import { importLocalSubscribers } from '../../jobs/import-local';
import { nextIssue } from '../../jobs/operate';
import { smokeDeployment } from '../../jobs/operate-smoke';
import { describeNext, smokeLines } from '../../jobs/operate-text';
import { countSubscribers } from '../../jobs/subscriber-pages';
import { buildApp } from '../../wiring';
import { buildOperations } from '../../wiring/operate';
import { type Ask, terminalAsk } from '../ask';
import { type Command, stringFlag, UsageError } from '../command';
import type { Output } from '../output';

export interface DeployFlags {
  config?: string;
  region?: string;
  profile?: string;
  alarmEmail?: string;
  noAlarms?: boolean;
  dryRun?: boolean;
  bootstrap?: boolean;
  /** Move the local subscribers into the deployed table once the stacks stand. */
  importLocal?: boolean;
  /** The local state folder (`--state`), for --import-local. */
  state?: string;
}

const CHECK_TIMEOUT_MS = 15_000;

/** The config to deploy: --config, or ./digest.config.json; never the embedded example. */
function configFileOf(flags: DeployFlags, cwd: string): string {
  const file = path.resolve(cwd, flags.config ?? 'digest.config.json');
  if (!existsSync(file)) {
    throw new UsageError(
      flags.config
        ? `--config: ${file} does not exist`
        : 'no digest.config.json here: give --config F (`pinboard-digest init` writes one)',
    );
  }
  if (path.basename(file) === DEPLOYED_CONFIG) {
    throw new UsageError(`--config: give the config you edit, not ${DEPLOYED_CONFIG} (deploy writes that one)`);
  }
  return file;
}

function regionOf(flags: DeployFlags, loaded: LoadedConfig, previous: string | undefined, env: NodeJS.ProcessEnv) {
  const candidates: Array<[string | undefined, string]> = [
    [flags.region, '--region'],
    [loaded.config.deploy?.region, 'deploy.region in the config'],
    [previous, `the last deploy (${DEPLOYED_CONFIG})`],
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
  ];
  for (const [value, from] of candidates) if (value?.trim()) return { value: value.trim(), from };
  return undefined;
}

/**
 * Whether to bootstrap the region now: `--bootstrap` says yes; otherwise the question is put on a terminal
 * (`ask`, by default stdin when it is one), and anything but yes is no. Not asked in a dry run, or off a terminal.
 */
async function bootstrapNow(flags: DeployFlags, ask: Ask | undefined, where: string): Promise<boolean> {
  if (flags.bootstrap) return true;
  if (flags.dryRun) return false;
  const terminal = ask ? { ask, close: () => {} } : terminalAsk();
  if (!terminal) return false;
  try {
    const said = await terminal.ask(
      `${where} is not bootstrapped for CDK. Bootstrap it now (a one-time CloudFormation stack, CDKToolkit)? yes/no`,
      'no',
    );
    return /^y(es)?$/i.test(said.trim());
  } finally {
    terminal.close();
  }
}

export async function deployCommand(
  flags: DeployFlags,
  output: Output,
  env = process.env,
  /** Questions (tests); by default the terminal's, when stdin is one. */
  options: { ask?: Ask } = {},
): Promise<number> {
  const configFile = configFileOf(flags, process.cwd());
  const loaded = loadConfig(configFile);
  const deployedFile = path.join(path.dirname(configFile), DEPLOYED_CONFIG);
  const previous = existsSync(deployedFile) ? loadConfig(deployedFile).config.deployment : undefined;
  const { config } = loaded;
  const choices: DeployChoices = {
    region: regionOf(flags, loaded, previous?.region, env),
    alarmEmail: flags.alarmEmail ?? config.deploy?.alarmEmail,
    ...(flags.noAlarms ? { alarms: 'none' } : {}),
  };
  const sources = Array.isArray(config.source) ? config.source : [config.source];
  const needsToken = sources.some((s) => s.type === 'pinboard-api');
  const token = env[ENV.pinboardToken]?.trim() || undefined;

  // 1. What needs no account.
  output.err(`config: ${loaded.origin}`);
  const refusals = offlineRefusals(loaded, choices, unreachableFromLambda(config.siteUrl));
  if (needsToken && !token && !previous) {
    refusals.push(
      `${ENV.pinboardToken} is not set: the first deploy stores it in its secret (never in a template). export ${ENV.pinboardToken}=user:HEX (Pinboard → Settings → Password) and run deploy again`,
    );
  }
  if (refusals.length > 0) {
    output.out(`${loaded.origin} cannot be deployed as it is:`);
    for (const r of refusals) output.out(`  ✗ ${r}`);
    output.out('Nothing was changed.');
    return 1;
  }
  const region = choices.region?.value as string;

  // 2. The account: credentials, bootstrap, SES and DNS for the From address.
  if (flags.profile) env.AWS_PROFILE = flags.profile;
  env.AWS_REGION = region;
  const adapters = deployAdapters({ region, env, timeoutMs: CHECK_TIMEOUT_MS });
  const maxSendRate = config.transport.type === 'ses' ? config.transport.maxSendRate : undefined;
  const checks = accountChecks({ from: config.from, region, maxSendRate, probes: adapters.probes });
  const secrets = [token, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN];
  let results = await runChecks(checks, { timeoutMs: CHECK_TIMEOUT_MS, secrets });
  const failed = () => results.filter((r) => r.status === 'fail');
  const onlyBootstrap = failed().length > 0 && failed().every((r) => r.id === 'cdk-bootstrap');
  const where = () => adapters.probes.account.identity(new AbortController().signal);
  if (
    onlyBootstrap &&
    !flags.dryRun &&
    (await bootstrapNow(flags, options.ask, `${region} of account ${(await where()).account}`))
  ) {
    const who = await where();
    output.err(`bootstrapping ${region} of account ${who.account} for CDK`);
    await adapters.toolkit().bootstrap({ region, account: who.account }, (line) => output.err(line));
    results = await runChecks(checks, { timeoutMs: CHECK_TIMEOUT_MS, secrets });
  }
  for (const line of formatText(results).slice(0, -1)) output.out(line);
  if (!summarize(results).ok) {
    output.out('Nothing was changed: fix the ✗ lines above, then run deploy again.');
    return 1;
  }
  const who = await adapters.probes.account.identity(new AbortController().signal);

  // 3. Deploy.
  const outcome = await runDeploy(
    {
      configFile,
      configText: readFileSync(configFile, 'utf8'),
      loaded,
      region,
      account: who.account,
      ...(choices.alarmEmail ? { alarmEmail: choices.alarmEmail } : { alarms: 'none' as const }),
      token: needsToken ? token : undefined,
      previous,
      dryRun: flags.dryRun,
      now: () => new Date(),
    },
    { toolkit: adapters.toolkit(), secrets: adapters.secrets, log: (line) => output.err(line) },
  );
  if (outcome.kind === 'dry-run') {
    output.out(outcome.diff);
    output.out('Dry run: nothing was deployed, no secret or file was written.');
    return 0;
  }

  // 4. The local readers, if asked; then what the author needs next.
  const { deployment } = outcome;
  const deployed = buildApp(loadConfig(outcome.deployedFile), { env });
  if (flags.importLocal) {
    const local = buildApp(loaded, { env, stateDir: flags.state });
    const moved = await importLocalSubscribers(local.store, deployed.store, new Date().toISOString());
    const added = Object.entries(moved.added).map(([status, n]) => `${n} ${status}`);
    output.out(
      `Imported from ${local.store.description}: ${added.join(', ') || 'nobody new'}; ${moved.unchanged} already there, ${moved.suppressed} suppressed as they are locally; nobody was mailed.`,
    );
    if (moved.pending > 0) {
      output.out(
        `  ${moved.pending} pending sign-up(s) stayed behind: their links were signed locally; they can sign up again.`,
      );
    }
  }
  const readers = await countSubscribers(deployed.store, { status: 'active' });
  const schedule = config.schedule;
  const cost = monthlyCost(readers, schedule ? issuesPerMonth(schedule.cron) : 4.33);
  const base = deployed.config.siteUrl.replace(/\/+$/, '');
  output.out(
    `Deployed ${deployment.stacks.data} and ${deployment.stacks.digest} to ${region} (account ${who.account}).`,
  );
  output.out(`  sign-up page: ${base}/`);
  output.out(`  archive:      ${base}/issues/`);
  if (schedule) {
    const view = {
      name: '',
      group: '',
      state: 'ENABLED' as const,
      expression: `cron(${schedule.cron})`,
      timeZone: schedule.timezone,
    };
    output.out(
      `  schedule:     cron(${schedule.cron}) in ${schedule.timezone}; ${describeNext(nextIssue(view, new Date()), new Date())}`,
    );
  }
  output.out(
    `  cost:         about $${cost.total.toFixed(2)} a month at ${readers} active subscriber(s) (${cost.messages} messages; SES $${cost.items.ses.toFixed(2)})`,
  );
  output.out(
    `  every command against it: --config ${path.relative(process.cwd(), outcome.deployedFile) || DEPLOYED_CONFIG}`,
  );
  if (needsToken && !outcome.tokenStored)
    output.out(`  the Pinboard token secret was left as it was (${ENV.pinboardToken} not set)`);

  // 5. Each function, as deployed, in a mode that changes nothing.
  output.out('Smoke test (each function under its role, changing nothing):');
  const ops = buildOperations(deployment, outcome.deployedFile);
  try {
    const smoked = await smokeDeployment(ops.smoke);
    for (const line of smokeLines(smoked)) output.out(`  ${line}`);
    return smoked.every((r) => r.ok) ? 0 : 1;
  } finally {
    ops.close();
  }
}

export const deploy: Command = {
  name: 'deploy',
  summary: 'put this digest on AWS (or update it): checks first, then both stacks, then deployed.config.json',
  help: `Usage: pinboard-digest deploy [--config F] [--region R] [--profile P] [--alarm-email A | --no-alarms]
                             [--dry-run] [--bootstrap] [--import-local [--state DIR]]

Checks before changing anything, and stops with the fix when something is missing:
  without an account: the config can run on Lambda (each refusal named by key), alarms have a destination,
  a region is known, ${ENV.pinboardToken} is set for a first deploy of a pinboard-api source;
  with it: the credentials (STS), CDK bootstrapped in the region, the From address verified in SES with DKIM,
  sandbox and send rate, SPF and DMARC.
Then deploys both stacks through the CDK toolkit, stores ${ENV.pinboardToken} in its secret, makes the
archive's address the siteUrl (a first deploy deploys the digest stack twice for it; a public siteUrl in the
config, your own domain, is kept), and writes deployed.config.json beside the config: every other command
works against the deployment with --config deployed.config.json. Run it again after a config or template
change: the data stack, the subscribers and the secrets stay as they are.

  --region R        the AWS region (else deploy.region in the config, the last deploy, AWS_REGION)
  --profile P       the AWS profile to use (else AWS_PROFILE, or the default credentials)
  --alarm-email A   where alarms are mailed (else deploy.alarmEmail in the config)
  --no-alarms       deploy without an alarm destination, knowingly
  --dry-run         check, then print what would change (the toolkit's diff); change nothing
  --bootstrap       bootstrap the region for CDK first, if it is not (without it, deploy asks on a terminal)
  --import-local    then move the local subscribers (--state, else the config's state folder) into the
                    deployed table: statuses, consent dates and suppressions kept, nobody mailed`,
  options: {
    region: { type: 'string' },
    profile: { type: 'string' },
    'alarm-email': { type: 'string' },
    'no-alarms': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    bootstrap: { type: 'boolean' },
    'import-local': { type: 'boolean' },
  },
  run: ({ values, common }, output) => {
    if (values['alarm-email'] !== undefined && values['no-alarms']) {
      throw new UsageError('--alarm-email and --no-alarms: give one');
    }
    return deployCommand(
      {
        config: common.config,
        region: stringFlag(values.region),
        profile: stringFlag(values.profile),
        alarmEmail: stringFlag(values['alarm-email']),
        noAlarms: values['no-alarms'] === true,
        dryRun: values['dry-run'] === true,
        bootstrap: values.bootstrap === true,
        importLocal: values['import-local'] === true,
        state: common.state,
      },
      output,
    );
  },
};
