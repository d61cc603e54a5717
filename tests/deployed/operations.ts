/**
 * What the deployment test needs to run `smoke`, `pause`, `resume` and `status` as the author would, against
 * the local deployment: the deployed.config.json `deploy` would write from the synthesized stacks' outputs, the
 * CLI as a process with the endpoints pointed at the local fronts, and views of everything a command must
 * not change (the table's items, the site bucket's objects).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type CliResult, runCli } from '../helpers/cli';
import type { Deployment } from './deployment';
import { PLACE } from './deployment';
import { DEPLOYED_CONFIG } from './journey';

const admin = { region: PLACE.region, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } };

/** deployed.config.json in `dir`: the author's config with the deployed store, transport and record. */
export function writeDeployedConfig(d: Deployment, dir: string): string {
  const deployment = d.deploymentRecord();
  const file = path.join(dir, 'deployed.config.json');
  const config = {
    ...DEPLOYED_CONFIG,
    store: { type: 'dynamodb', table: deployment.table },
    transport: { type: 'ses', configurationSet: deployment.configurationSet },
    deployment,
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The CLI in `dir` as the operator, every AWS endpoint the IAM front. */
export const cliAs =
  (d: Deployment, dir: string) =>
  (args: string[]): Promise<CliResult> =>
    runCli(args, { cwd: dir, env: d.cliEnv() });

/** Every item of the deployed table, as JSON lines, sorted (the emulator's own view). */
export async function tableItems(d: Deployment): Promise<string[]> {
  const table = d.deploymentRecord().table;
  const client = new DynamoDBClient({ ...admin, endpoint: d.dynamoUrl });
  const items: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(item, Object.keys(item).sort()));
    start = page.LastEvaluatedKey as never;
  } while (start);
  client.destroy();
  return items.sort();
}

/** Every object key of the site bucket (the archive compose-issue publishes). */
export async function siteObjects(d: Deployment): Promise<string[]> {
  const [bucket] = d.assembly.resources('AWS::S3::Bucket').filter((b) => b.logicalId.startsWith('SiteBucket'));
  if (!bucket) throw new Error('no site bucket in the templates');
  const s3 = new S3Client({ ...admin, endpoint: d.fauxqsUrl, forcePathStyle: true });
  const answer = await s3.send(new ListObjectsV2Command({ Bucket: d.assembly.ref(bucket.stack, bucket.logicalId) }));
  s3.destroy();
  return (answer.Contents ?? []).map((o) => String(o.Key)).sort();
}

/** The Pinboard source's own memory of its calls (its rate limits need it): the one thing composing writes. */
export const isPinboardPacing = (item: string) => item.includes('"pinboard-api:');

/** An API Gateway HTTP API (v2) event for the subscription API, as API Gateway sends it. */
export const apiEvent = (
  method: string,
  target: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) => {
  const url = new URL(target, 'https://links.example.com');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: { host: 'abc123.execute-api.eu-west-2.amazonaws.com', 'user-agent': 'test', ...init.headers },
    requestContext: {
      accountId: PLACE.account,
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-2.amazonaws.com',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: `r-${Math.random()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: init.body,
    isBase64Encoded: false,
  };
};

/** An SNS notification event carrying `message` (as JSON), as SNS invokes a function with it. */
export const snsEvent = (message: unknown) => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `arn:aws:sns:${PLACE.region}:${PLACE.account}:topic:sub`,
      Sns: {
        Type: 'Notification',
        MessageId: `m-${Math.random()}`,
        TopicArn: `arn:aws:sns:${PLACE.region}:${PLACE.account}:topic`,
        Subject: null,
        Message: JSON.stringify(message),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: 'x',
        SigningCertUrl: 'https://sns.example/cert.pem',
        UnsubscribeUrl: 'https://sns.example/unsubscribe',
        MessageAttributes: {},
      },
    },
  ],
});
