/**
 * The commands against a deployment: a deployed.config.json as `deploy` writes it (lambda/deploy/run.ts, its
 * toolkit answering a deployed stack's outputs), the real CLI in a child process, the table on dynalite.
 * Without AWS_REGION the clients go to the deployment's region; real mail needs the deployed signing key, and
 * the error says the command that fetches it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { loadConfig } from '../../lambda/config';
import { runDeploy } from '../../lambda/deploy/run';
import type { DeployPlan, StackToolkit } from '../../lambda/ports/deploy';
import { runCli } from '../helpers/cli';
import { DEPLOYED, outputsFor } from '../helpers/deploy-outputs';

let server: Server;
let endpoint: string;
let dir: string;

const SIGNING_ARN = DEPLOYED.signingKeyArn;

const toolkit: StackToolkit = {
  diff: async () => '',
  bootstrap: async () => {},
  deploy: async (plan: DeployPlan) => outputsFor(plan, 'digest-deployed'),
};

beforeAll(async () => {
  const dynalite = require('dynalite') as (options: object) => Server;
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The table exists in "eu-west-1" only: dynalite keeps tables per region, so a client in another region
  // would not find it.
  const store = new DynamoDbStore({
    table: 'digest-deployed',
    client: new DynamoDBClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    }),
  });
  await store.createTable();
  await store.addSubscribers([{ email: 'reader@example.com', status: 'active' }], '2026-12-01T00:00:00.000Z');

  dir = mkdtempSync(path.join(tmpdir(), 'pd-deployed-cli-'));
  const file = path.join(dir, 'digest.config.json');
  const text = JSON.stringify({
    title: 'Links I Found',
    siteUrl: 'http://127.0.0.1:8080',
    from: 'Links <digest@links.example>',
    source: { type: 'pinboard-rss', user: 'author' },
    transport: { type: 'outbox', dir: 'outbox' },
    schedule: { cron: '0 7 ? * SAT *', timezone: 'Europe/London' },
  });
  writeFileSync(file, text);
  await runDeploy(
    {
      configFile: file,
      configText: text,
      loaded: loadConfig(file),
      region: 'eu-west-1',
      account: '123456789012',
      alarmEmail: 'me@links.example',
      now: () => new Date(),
    },
    { toolkit, secrets: { put: async () => {} }, log: () => {} },
  );
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

// The shell names another region: the deployment's wins (dynalite keeps tables per region).
const env = { AWS_REGION: 'us-east-2', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' };

describe('--config deployed.config.json', () => {
  it('lists the deployed table’s readers, in the deployment’s region whatever AWS_REGION says', async () => {
    const result = await runCli(['subscribers', 'list', '--config', 'deployed.config.json'], {
      cwd: dir,
      env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reader@example.com');
  });

  it('a command that signs mail says how to fetch the deployed signing key', async () => {
    const result = await runCli(['subscribers', 'add', 'new@example.com', '--config', 'deployed.config.json'], {
      cwd: dir,
      env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `aws secretsmanager get-secret-value --region eu-west-1 --secret-id ${SIGNING_ARN} --query SecretString --output text`,
    );
  });
});
