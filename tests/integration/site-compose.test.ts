/**
 * On AWS the page is live before the first email of its issue leaves: compose-issue, invoked as the schedule
 * invokes it, against dynalite, SES and fauxqs (which serves SQS and S3 on one endpoint). A recording proxy
 * in front of fauxqs sees every S3 PUT and SQS call in the order the function made them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import RssParser from 'rss-parser';
import { siteCommand } from '../../lambda/cli/commands/site';
import { LAMBDA_ENV } from '../../lambda/env';
import { handler as composeIssue } from '../../lambda/handlers/compose-issue';
import { awsDigestConfig, startLocalAws } from '../helpers/aws-local';
import { rawPost } from '../helpers/pinboard-posts';

jest.mock('feed', () => require('../helpers/node-require').nodeRequire('feed'));

const BUCKET = 'digest-site';
let aws: Awaited<ReturnType<typeof startLocalAws>>;
let proxy: { url: string; log: string[]; stop: () => Promise<void> };
let s3: S3Client;

/** Forwards every request to `target`, logging `PUT /bucket/key` for S3 and the action for SQS (JSON protocol). */
async function startRecordingProxy(target: string) {
  const log: string[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const action = req.headers['x-amz-target'];
    log.push(action ? String(action) : `${req.method} ${decodeURIComponent((req.url ?? '').split('?')[0] ?? '')}`);
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  aws = await startLocalAws({
    sesRate: 400,
    batchSize: 10,
    maxReceiveCount: 3,
    config: { ...awsDigestConfig('Links I Found'), linkCheck: { enabled: false } },
  });
  const fauxqs = aws.env.AWS_ENDPOINT_URL_SQS as string;
  s3 = new S3Client({
    endpoint: fauxqs,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  proxy = await startRecordingProxy(fauxqs);
  // The function reaches SQS and S3 through the proxy; the stack sets the bucket on compose-issue.
  process.env.AWS_ENDPOINT_URL_SQS = proxy.url;
  process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
  process.env[LAMBDA_ENV.siteBucket] = BUCKET;
  writeFileSync(
    path.join(aws.dir, 'bookmarks.json'),
    JSON.stringify([
      ...Array.from({ length: 6 }, (_, i) => rawPost(30 - i, i)),
      rawPost(10, 90, { description: '<script>alert(1)</script> & "q"', tags: 'web' }),
      rawPost(9, 91, { href: 'https://private.example/secret', shared: 'no' }),
    ]),
  );
  await aws.store().addSubscribers(
    Array.from({ length: 120 }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    new Date().toISOString(),
  );
}, 60_000);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env[LAMBDA_ENV.siteBucket];
  s3?.destroy();
  await proxy?.stop();
  await aws?.stop();
});

const object = async (key: string) => {
  const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { type: answer.ContentType, cache: answer.CacheControl, body: (await answer.Body?.transformToString()) ?? '' };
};

describe('compose-issue and the archive bucket', () => {
  it('writes the page, then the indexes and feeds, and only then enqueues the first batch', async () => {
    const outcome = await composeIssue({ source: 'pinboard-digest.schedule' });
    expect(outcome).toMatchObject({ outcome: 'enqueued', issue: 1, recipients: 120 });

    const puts = proxy.log.filter((l) => l.startsWith(`PUT /${BUCKET}/`)).map((l) => l.slice(`PUT /${BUCKET}/`.length));
    expect(puts.slice(0, 2).sort()).toEqual(['issues/1/index.html', 'site.css']);
    expect(puts.slice(2, 4).sort()).toEqual(['index.html', 'issues/index.html']);
    expect(puts.slice(4).sort()).toEqual(['issues/atom.xml', 'issues/feed.json', 'issues/rss.xml']);
    const lastPut = Math.max(...puts.map((p) => proxy.log.indexOf(`PUT /${BUCKET}/${p}`)));
    const firstBatch = proxy.log.findIndex((l) => /SendMessage/.test(l));
    expect(firstBatch).toBeGreaterThan(lastPut);
    expect(proxy.log.filter((l) => /SendMessageBatch/.test(l)).length).toBeGreaterThan(0);
  }, 60_000);

  it('the objects carry their content types and cache-control; the page escapes a hostile title and leaves private links out', async () => {
    const page = await object('issues/1/index.html');
    expect(page).toMatchObject({ type: 'text/html; charset=utf-8', cache: 'public, max-age=3600' });
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;');
    expect(page.body).not.toMatch(/<script|private\.example/);
    expect(await object('issues/feed.json')).toMatchObject({ type: 'application/feed+json; charset=utf-8' });
    expect(await object('site.css')).toMatchObject({ type: 'text/css; charset=utf-8' });

    const atom = await object('issues/atom.xml');
    expect(atom).toMatchObject({ type: 'application/atom+xml; charset=utf-8', cache: 'public, max-age=300' });
    const feed = await new RssParser().parseString(atom.body);
    expect(feed.items.map((i) => i.link)).toEqual(['https://links.example.com/issues/1/']);
    expect(feed.items[0]?.content).toContain('href="https://example.com/0"');

    // The root is the signup page: its form posts to /subscribe (the API, through the same distribution).
    const root = await object('index.html');
    expect(root.body).toContain('<form method="post" action="subscribe">');
    expect(root.body).toContain('href="https://links.example.com/issues/1/">Read the latest issue</a>');
  });

  it('`site --bucket` rebuilds the same archive from the deployed table into the bucket', async () => {
    const before = await object('issues/1/index.html');
    // The author's config, pointed at the deployed table (dynalite here), as a laptop would run it.
    const config = JSON.parse(readFileSync(aws.configFile, 'utf8'));
    const configFile = path.join(aws.dir, 'deployed.config.json');
    writeFileSync(configFile, JSON.stringify({ ...config, store: { type: 'dynamodb', table: 'digest' } }));
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: () => {}, isTTY: false };
    const puts = proxy.log.length;
    expect(await siteCommand({ config: configFile, bucket: BUCKET }, output)).toBe(0);
    expect(lines.join('\n')).toMatch(/Archive rebuilt in S3 bucket digest-site: 1 issue page/);
    expect(proxy.log.slice(puts).filter((l) => l.startsWith('PUT '))).toHaveLength(7);
    expect((await object('issues/1/index.html')).body).toBe(before.body);
    expect((await object('index.html')).body).toContain('action="subscribe"');
  }, 60_000);
});
