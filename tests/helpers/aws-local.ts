/**
 * The AWS side of the digest on 127.0.0.1: DynamoDB (dynalite), SES (the rate-limited endpoint), SQS (fauxqs,
 * which needs Node ≥ 22.5: npm scripts run on the npm package `node`), and a driver that feeds queue records to
 * the send-batch handler the way Lambda's SQS event source does: batches of up to `batchSize`, records reported
 * failed come back after the visibility timeout, and after `maxReceiveCount` receives land in the DLQ.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { writeBundleFile } from '../../infra/bundle-file';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { type LoadedConfig, parseConfig } from '../../lambda/config';
import { LAMBDA_ENV } from '../../lambda/env';
import { startSesServer } from '../integration/servers/ses-server';
import { SECRET } from './factories';
import { pollQueue, queueDepth, type SqsHandler } from './sqs-poller';

/** The project's own Node 24 (the npm package `node`): fauxqs needs node:sqlite (Node ≥ 22.5). */
export const NODE_24 = path.resolve(__dirname, '../../node_modules/.bin/node');

/** A test server in its own process: it prints {"port":N} when listening and stops when its stdin closes. */
export async function startChildServer(
  script: string,
  node: string,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(node, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = /\{"port":(\d+)\}/.exec(out);
      if (line) resolve(Number(line[1]));
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited ${code}: ${stderr}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

const servers = path.resolve(__dirname, '../integration/servers');
/** fauxqs is ESM-only (jest's CommonJS modules cannot import it) and needs Node ≥ 22.5. */
export const startSqsServer = () =>
  startChildServer(path.join(servers, 'sqs-server.mjs'), existsSync(NODE_24) ? NODE_24 : process.execPath);
/** dynalite in its own process: the event loop under test is not the database's. */
export const startDynamoServer = () => startChildServer(path.join(servers, 'dynamodb-server.js'), process.execPath);

/** A digest config as the stacks deploy one: SES transport, a schedule, bookmarks from `bookmarks.json`. */
export const awsDigestConfig = (title: string) => ({
  title,
  siteUrl: 'https://links.example.com',
  from: `${title} <digest@links.example.com>`,
  source: { type: 'file', path: 'bookmarks.json' },
  transport: { type: 'ses' },
  schedule: { cron: '0 7 ? * SAT *', timezone: 'Europe/London' },
});

export interface LocalAwsOptions {
  sesRate: number;
  randomThrottle?: number;
  max24HourSend?: number;
  /** Lambda's SQS event source: records per invocation. */
  batchSize: number;
  maxReceiveCount: number;
  /** The event source's maximum concurrency (each invocation paces at the SES rate ÷ this). */
  fleetConcurrency?: number;
  /** Keep raw messages at the SES endpoint (default) or only recipients and times. */
  keepRaw?: boolean;
  visibilityTimeoutSeconds?: number;
  /** The digest config (title, from, source…); store and transport are set as the stacks set them. */
  config: Record<string, unknown>;
}

export async function startLocalAws(options: LocalAwsOptions) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-aws-'));
  const db = await startDynamoServer();
  const dbUrl = `http://127.0.0.1:${db.port}`;
  const ses = await startSesServer({
    maxSendRate: options.sesRate,
    randomThrottle: options.randomThrottle ?? 0,
    max24HourSend: options.max24HourSend,
    keepRaw: options.keepRaw,
  });
  const sqsServer = await startSqsServer();
  const sqsUrl = `http://127.0.0.1:${sqsServer.port}`;

  const credentials = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const sqs = new SQSClient({
    endpoint: sqsUrl,
    useQueueUrlAsEndpoint: false,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'send-dlq' }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'send',
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 1),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl as string;
  const dlqUrl = dlq.QueueUrl as string;

  const table = 'digest';
  const store = () => new DynamoDbStore({ table, claimTtlMs: 120_000 });
  const env: NodeJS.ProcessEnv = {
    ...credentials,
    AWS_ENDPOINT_URL_DYNAMODB: dbUrl,
    AWS_ENDPOINT_URL_SES: ses.url,
    AWS_ENDPOINT_URL_SQS: sqsUrl,
    DIGEST_SIGNING_SECRET: SECRET,
    [LAMBDA_ENV.table]: table,
    [LAMBDA_ENV.queueUrl]: queueUrl,
    [LAMBDA_ENV.configurationSet]: 'digest-set',
    [LAMBDA_ENV.fleetConcurrency]: String(options.fleetConcurrency ?? 2),
    [LAMBDA_ENV.metricsNamespace]: 'PinboardDigest/Test',
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  await store().createTable();

  const configFile = path.join(dir, 'digest.config.json');
  writeFileSync(configFile, JSON.stringify(options.config));
  const loaded: LoadedConfig = { config: parseConfig(options.config, configFile), origin: configFile, baseDir: dir };
  process.env[LAMBDA_ENV.bundleFile] = await writeBundleFile(loaded, dir, 'test');

  const depth = (url: string) => queueDepth(sqs, url);

  /** Lambda's SQS event source with `concurrency` invocation slots, in this process (see sqs-poller.ts). */
  const drain = async (handler: SqsHandler, limits: { maxRounds?: number; concurrency?: number } = {}) => {
    const counts = await Promise.all(
      Array.from({ length: limits.concurrency ?? 1 }, () =>
        pollQueue(sqs, queueUrl, options.batchSize, handler, limits.maxRounds),
      ),
    );
    return { invocations: counts.reduce((a, b) => a + b, 0) };
  };

  return {
    env,
    ses,
    sqs,
    store,
    queueUrl,
    dlqUrl,
    depth,
    drain,
    configFile,
    dir,
    async stop() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      sqs.destroy();
      await sqsServer.stop();
      await ses.stop();
      await db.stop();
    },
  };
}
