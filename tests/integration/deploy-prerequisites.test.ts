/**
 * `deploy` stops before changing anything when a prerequisite is missing, each with its fix: the real CLI in a
 * child process against local stand-ins only (STS and SSM in one account server that records every other
 * request as an attempted change, SES v2, DNS). First what needs no account, with no credentials at all; then
 * the account's checks, each failure on its own.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { type AwsAccountServer, startAwsAccountServer } from './servers/aws-account-server';
import { type DnsServer, startDnsServer } from './servers/dns-server';
import { type SesV2Server, startSesV2Server } from './servers/sesv2-server';

const TOKEN = 'author:0123456789ABCDEF01234567';

const DEPLOYABLE = {
  title: 'Links I Found',
  siteUrl: 'http://127.0.0.1:8080',
  from: 'Links <digest@links.example>',
  source: { type: 'pinboard-api', user: 'author' },
  transport: { type: 'ses' },
  schedule: { cron: '0 7 ? * SAT *', timezone: 'Europe/London' },
  deploy: { region: 'eu-west-1', alarmEmail: 'me@links.example' },
};

let account: AwsAccountServer;
let ses: SesV2Server;
let dns: DnsServer;

beforeAll(async () => {
  account = await startAwsAccountServer({ account: '123456789012', bootstrapVersion: 30 });
  ses = await startSesV2Server({
    account: {
      sendingEnabled: true,
      productionAccessEnabled: true,
      enforcementStatus: 'HEALTHY',
      max24HourSend: 50_000,
      maxSendRate: 14,
      sentLast24Hours: 0,
    },
    identities: { 'links.example': { type: 'DOMAIN', verified: true, dkimStatus: 'SUCCESS' } },
  });
  dns = await startDnsServer({
    txt: {
      'links.example': ['v=spf1 include:amazonses.com ~all'],
      '_dmarc.links.example': ['v=DMARC1; p=quarantine'],
    },
  });
});

afterAll(async () => {
  await account?.stop();
  await ses?.stop();
  await dns?.stop();
});

beforeEach(() => {
  account.state.account = '123456789012';
  account.state.bootstrapVersion = 30;
  ses.state.identities = { 'links.example': { type: 'DOMAIN', verified: true, dkimStatus: 'SUCCESS' } };
  account.changes.length = 0;
});

function project(config: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-deploy-pre-'));
  writeFileSync(path.join(dir, 'digest.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** Every AWS endpoint the command could reach, pointed here; credentials that are only test values. */
const awsEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'deploy-test-secret-key-0123456789',
  AWS_ENDPOINT_URL_STS: account.url,
  AWS_ENDPOINT_URL_SSM: account.url,
  AWS_ENDPOINT_URL_CLOUDFORMATION: account.url,
  AWS_ENDPOINT_URL_S3: account.url,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: account.url,
  AWS_ENDPOINT_URL_SESV2: ses.url,
  DIGEST_DNS_SERVERS: dns.address,
  PINBOARD_TOKEN: TOKEN,
  ...extra,
});

/** Nothing was changed: no request beyond the checks' reads, no file beside the config. */
function expectUnchanged(dir: string, output: string) {
  expect(output).toMatch(/Nothing was changed/);
  expect(account.changes).toEqual([]);
  expect(readdirSync(dir)).toEqual(['digest.config.json']);
}

describe('deploy stops before any change, with the fix', () => {
  it('without an account: every refusal at once, named by key, with no credentials set at all', async () => {
    const dir = project({
      ...DEPLOYABLE,
      source: [
        { type: 'file', path: 'bookmarks.json' },
        { type: 'feed', url: 'http://192.168.1.20/feed.xml' },
      ],
      schedule: undefined,
      deploy: undefined,
    });
    const result = await runCli(['deploy'], { cwd: dir, env: { AWS_ENDPOINT_URL_STS: account.url } });
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(/✗ "schedule" is needed to deploy/);
    expect(out).toMatch(/✗ source\.0 is a "file" source \(bookmarks\.json\)/);
    expect(out).toMatch(/✗ source\.1\.url http:\/\/192\.168\.1\.20\/feed\.xml is on this machine or a private network/);
    expect(out).toMatch(/✗ no alarm destination/);
    expect(out).toMatch(/✗ no region: give --region/);
    // The loopback siteUrl is no refusal: deploy makes the archive's address.
    expect(out).not.toMatch(/siteUrl/);
    expectUnchanged(dir, out);
  });

  it('a first deploy of a pinboard-api source needs PINBOARD_TOKEN, before any account is asked', async () => {
    const dir = project(DEPLOYABLE);
    const result = await runCli(['deploy'], { cwd: dir, env: awsEnv({ PINBOARD_TOKEN: '' }) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ PINBOARD_TOKEN is not set: the first deploy stores it in its secret/);
    expectUnchanged(dir, result.stdout);
  });

  it('credentials STS refuses', async () => {
    account.state.account = undefined;
    const dir = project(DEPLOYABLE);
    const result = await runCli(['deploy'], { cwd: dir, env: awsEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ AWS credentials: .*security token included in the request is invalid.*fix: sign in first/,
    );
    expectUnchanged(dir, result.stdout);
  });

  it('a region not bootstrapped for CDK: the fix names the flag that bootstraps it', async () => {
    account.state.bootstrapVersion = undefined;
    const dir = project(DEPLOYABLE);
    const result = await runCli(['deploy', '--region', 'eu-central-1'], { cwd: dir, env: awsEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ CDK bootstrap: eu-central-1 is not bootstrapped for CDK — fix: run `pinboard-digest deploy --bootstrap`/,
    );
    expect(result.stdout).toMatch(
      /✔ AWS credentials: account 123456789012 as arn:aws:iam::123456789012:user\/author, region eu-central-1/,
    );
    expectUnchanged(dir, result.stdout);
  });

  it('at a terminal, offers to bootstrap; declined, it changes nothing', async () => {
    account.state.bootstrapVersion = undefined;
    const dir = project(DEPLOYABLE);
    const { deployCommand } = await import('../../lambda/cli/commands/deploy');
    const asked: string[] = [];
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    // In this process the SDK's clients read process.env, as in the CLI's: set for the call, then put back.
    const saved = { ...process.env };
    Object.assign(process.env, awsEnv());
    let code: number;
    try {
      code = await deployCommand({ config: path.join(dir, 'digest.config.json') }, output as never, process.env, {
        ask: async (question, fallback) => {
          asked.push(`${question} [${fallback}]`);
          return 'no';
        },
      });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(code).toBe(1);
    expect(asked).toEqual([
      'eu-west-1 of account 123456789012 is not bootstrapped for CDK. Bootstrap it now (a one-time CloudFormation stack, CDKToolkit)? yes/no [no]',
    ]);
    expectUnchanged(dir, lines.join('\n'));
  });

  it('a From domain SES does not know', async () => {
    ses.state.identities = {};
    const dir = project(DEPLOYABLE);
    const result = await runCli(['deploy'], { cwd: dir, env: awsEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ SES sending identity: neither links\.example nor digest@links\.example is an SES identity/,
    );
    expect(result.stdout).toMatch(/✔ CDK bootstrap: eu-west-1: bootstrap version 30/);
    expectUnchanged(dir, result.stdout);
  });

  it('never prints the token or the secret key, whatever fails', async () => {
    account.state.account = undefined;
    const dir = project(DEPLOYABLE);
    const result = await runCli(['deploy'], { cwd: dir, env: awsEnv() });
    const all = result.stdout + result.stderr;
    expect(all).not.toContain('0123456789ABCDEF01234567');
    expect(all).not.toContain('deploy-test-secret-key-0123456789');
  });
});
