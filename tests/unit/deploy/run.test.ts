/**
 * The steps of `deploy` (lambda/deploy/run.ts) up to the toolkit: which stacks are deployed, from which config
 * and context, in which order the token and the site's address are set, and what deployed.config.json says.
 * CloudFormation cannot run here; the toolkit port records what it was asked, and answers the outputs a
 * deployed stack has.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config';
import {
  DEPLOYED_CONFIG,
  type DeployInput,
  PENDING_CONFIG,
  PENDING_SITE_URL,
  runDeploy,
} from '../../../lambda/deploy/run';
import type { DeployPlan, StackToolkit } from '../../../lambda/ports/deploy';
import { DEPLOYED, outputsFor } from '../../helpers/deploy-outputs';

const TOKEN = 'author:0123456789ABCDEF0123';
const SITE = DEPLOYED.siteUrl;
const NOW = () => new Date('2026-12-02T12:00:00.000Z');

const AUTHOR = {
  // a comment the author wrote
  title: 'Links I Found',
  siteUrl: 'http://127.0.0.1:8080',
  from: 'Links <digest@links.example.com>',
  source: { type: 'pinboard-api', user: 'author' },
  transport: { type: 'outbox', dir: 'outbox' },
  schedule: { cron: '0 7 ? * SAT *', timezone: 'Europe/London' },
  subscribersSeed: 'subscribers.txt',
};

/** A toolkit that records each call with the config it would synthesize, read at that moment. */
function recordingToolkit() {
  const calls: Array<{ call: string; which?: string; siteUrl?: string; context: Record<string, string> }> = [];
  const read = (plan: DeployPlan) => JSON.parse(readFileSync(plan.configFile, 'utf8')) as { siteUrl: string };
  const toolkit: StackToolkit = {
    diff: async (plan) => {
      calls.push({ call: 'diff', siteUrl: read(plan).siteUrl, context: { ...plan.context } });
      return 'Stack LinksIFound-Digest: 4 resources to change';
    },
    deploy: async (plan, which) => {
      calls.push({ call: 'deploy', which, siteUrl: read(plan).siteUrl, context: { ...plan.context } });
      return outputsFor(plan);
    },
    bootstrap: async () => {
      calls.push({ call: 'bootstrap', context: {} });
    },
  };
  return { toolkit, calls };
}

function project(config: object = AUTHOR) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-deploy-'));
  const file = path.join(dir, 'digest.config.json');
  const text = `${JSON.stringify(config, null, 2)}\n`;
  writeFileSync(file, text);
  return { dir, file, text };
}

function input(p: ReturnType<typeof project>, extra: Partial<DeployInput> = {}): DeployInput {
  return {
    configFile: p.file,
    configText: p.text,
    loaded: loadConfig(p.file),
    region: 'eu-west-1',
    account: '123456789012',
    alarmEmail: 'me@links.example.com',
    token: TOKEN,
    now: NOW,
    ...extra,
  };
}

function steps() {
  const { toolkit, calls } = recordingToolkit();
  const order: string[] = [];
  const secrets: Array<{ arn: string; value: string }> = [];
  const log: string[] = [];
  return {
    calls,
    order,
    secrets,
    log,
    deps: {
      toolkit: {
        ...toolkit,
        deploy: async (plan: DeployPlan, which: 'all' | 'digest', progress: (l: string) => void) => {
          order.push(`deploy ${which}`);
          return toolkit.deploy(plan, which, progress);
        },
      },
      secrets: {
        put: async (arn: string, value: string) => {
          order.push('token');
          secrets.push({ arn, value });
        },
      },
      log: (line: string) => log.push(line),
    },
  };
}

describe('deploy, up to the toolkit', () => {
  it('a first deploy: both stacks with a placeholder address, the token once, then the digest stack once with the real one', async () => {
    const p = project();
    const s = steps();
    const outcome = await runDeploy(input(p), s.deps);
    expect(outcome).toMatchObject({ kind: 'deployed', rounds: 2, tokenStored: true });
    expect(s.order).toEqual(['deploy all', 'token', 'deploy digest']);
    expect(s.calls.map((c) => c.siteUrl)).toEqual([PENDING_SITE_URL, SITE]);
    expect(s.secrets).toEqual([{ arn: DEPLOYED.tokenArn, value: TOKEN }]);
    // The context the config implies.
    expect(s.calls[0]?.context).toEqual({
      config: path.join(p.dir, PENDING_CONFIG),
      region: 'eu-west-1',
      account: '123456789012',
      alarmEmail: 'me@links.example.com',
    });
    // The work file is gone; the author's config is untouched.
    expect(existsSync(path.join(p.dir, PENDING_CONFIG))).toBe(false);
    expect(readFileSync(p.file, 'utf8')).toBe(p.text);
  });

  it('writes deployed.config.json: the deployed store, transport and names, which loads as a config', async () => {
    const p = project();
    await runDeploy(input(p), steps().deps);
    const file = path.join(p.dir, DEPLOYED_CONFIG);
    const { config } = loadConfig(file);
    expect(config.siteUrl).toBe(SITE);
    expect(config.store).toMatchObject({ type: 'dynamodb', table: 'LinksIFound-Data-Table' });
    expect(config.transport).toEqual({ type: 'ses', configurationSet: 'links-set' });
    expect(config.deployment).toMatchObject({
      region: 'eu-west-1',
      functions: { composeIssue: 'compose', sendBatch: 'send', sesEvents: 'events', subscriptionApi: 'api' },
      schedule: { name: 'schedule', group: 'default' },
      deployedAt: NOW().toISOString(),
    });
    // The local subscriber seed does not follow the config to AWS; the author's own keys do.
    expect(config.subscribersSeed).toBeUndefined();
    expect(config.schedule).toEqual(AUTHOR.schedule);
  });

  it('never writes the token into a config, the context or a log line', async () => {
    const p = project();
    const s = steps();
    await runDeploy(input(p), s.deps);
    expect(readFileSync(path.join(p.dir, DEPLOYED_CONFIG), 'utf8')).not.toContain(TOKEN);
    expect(JSON.stringify(s.calls)).not.toContain(TOKEN);
    expect(s.log.join('\n')).not.toContain(TOKEN);
  });

  it('a second deploy (after a config change) is one round, with the address the first one found', async () => {
    const p = project();
    await runDeploy(input(p), steps().deps);
    const previous = loadConfig(path.join(p.dir, DEPLOYED_CONFIG)).config.deployment;
    const s = steps();
    const outcome = await runDeploy(input(p, { previous, token: undefined }), s.deps);
    expect(outcome).toMatchObject({ kind: 'deployed', rounds: 1, tokenStored: false });
    expect(s.order).toEqual(['deploy all']);
    expect(s.calls[0]?.siteUrl).toBe(SITE);
  });

  it('a custom domain in the config is deployed as it is, in one round', async () => {
    const p = project({ ...AUTHOR, siteUrl: 'https://links.example.com' });
    const s = steps();
    const outcome = await runDeploy(input(p), s.deps);
    expect(outcome).toMatchObject({ rounds: 1 });
    expect(s.calls.map((c) => c.siteUrl)).toEqual(['https://links.example.com']);
    expect(loadConfig(path.join(p.dir, DEPLOYED_CONFIG)).config.siteUrl).toBe('https://links.example.com');
  });

  it('--dry-run diffs and changes nothing: no deploy, no secret, no deployed.config.json', async () => {
    const p = project();
    const s = steps();
    const outcome = await runDeploy(input(p, { dryRun: true }), s.deps);
    expect(outcome).toEqual({ kind: 'dry-run', diff: 'Stack LinksIFound-Digest: 4 resources to change' });
    expect(s.calls.map((c) => c.call)).toEqual(['diff']);
    expect(s.secrets).toEqual([]);
    expect(existsSync(path.join(p.dir, DEPLOYED_CONFIG))).toBe(false);
    expect(existsSync(path.join(p.dir, PENDING_CONFIG))).toBe(false);
  });

  it('a failed second round leaves deployed.config.json with the live address, so a rerun is one round', async () => {
    const p = project();
    const s = steps();
    const failing = {
      ...s.deps,
      toolkit: {
        ...s.deps.toolkit,
        deploy: async (plan: DeployPlan, which: 'all' | 'digest', progress: (l: string) => void) => {
          if (which === 'digest') throw new Error('UPDATE_ROLLBACK_COMPLETE');
          return s.deps.toolkit.deploy(plan, which, progress);
        },
      },
    };
    await expect(runDeploy(input(p), failing)).rejects.toThrow(/UPDATE_ROLLBACK_COMPLETE/);
    const previous = loadConfig(path.join(p.dir, DEPLOYED_CONFIG)).config.deployment;
    expect(previous?.siteUrl).toBe(SITE);
    const again = steps();
    await runDeploy(input(p, { previous }), again.deps);
    expect(again.calls.map((c) => c.siteUrl)).toEqual([SITE]);
  });
});
