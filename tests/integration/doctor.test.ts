/**
 * `doctor` as an author runs it, the real CLI in a child process, against local stand-ins only: the Pinboard
 * test server, an SES v2 endpoint, a DNS server on 127.0.0.1 (UDP), and `serve` behind a TLS front on 127.0.0.2
 * (a siteUrl that is https and not "this machine", as a deployment's is; the test certificate in
 * tests/fixtures/tls is trusted through NODE_EXTRA_CA_CERTS). One run where every check passes, one where every
 * check fails, one that meets servers that never answer, and one with a broken config.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { runCli } from '../helpers/cli';
import { freePort, type Served, startServe } from '../helpers/serve';
import { type DnsServer, startDnsServer } from './servers/dns-server';
import { type PinboardServer, startPinboardServer } from './servers/pinboard-server';
import { type SesV2Server, startSesV2Server } from './servers/sesv2-server';

const TOKEN = 'curator:0123456789ABCDEF01234567';
const SECRET = 'doctor-test-signing-secret-0123456789abcdef';
const TLS = path.resolve(__dirname, '../fixtures/tls');
const FRONT_HOST = '127.0.0.2';

/** Every check doctor runs for an SES config with a pinboard-api source, in its order. */
const ALL_CHECKS = [
  'config',
  'templates',
  'signing-secret',
  'store',
  'pinboard-token',
  'ses-identity',
  'ses-sending',
  'ses-sandbox',
  'ses-quota',
  'dns-spf',
  'dns-dmarc',
  'site',
  'site-unsubscribe',
];

interface JsonReport {
  ok: boolean;
  counts: Record<string, number>;
  checks: { id: string; title: string; status: string; detail: string; fix?: string }[];
}

let root: string;
let pinboard: PinboardServer;
let sesGood: SesV2Server;
let sesBad: SesV2Server;
let dns: DnsServer;
let served: Served;
let front: https.Server;
let frontUrl: string;

/** A TLS front for `serve`, as CloudFront is for the subscription API; `target()` is serve's address. */
function startFront(target: () => string): Promise<https.Server> {
  const server = https.createServer(
    { key: readFileSync(path.join(TLS, 'key.pem')), cert: readFileSync(path.join(TLS, 'cert.pem')) },
    (req, res) => {
      const upstream = http.request(
        new URL(req.url ?? '/', target()),
        { method: req.method, headers: { ...req.headers, host: new URL(target()).host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    },
  );
  return new Promise((resolve) => server.listen(0, FRONT_HOST, () => resolve(server)));
}

function writeConfig(dir: string, overrides: Record<string, unknown>): void {
  const config = {
    title: 'Links I Found',
    siteUrl: frontUrl,
    from: 'Links I Found <digest@links.example>',
    source: { type: 'pinboard-api', user: 'curator' },
    transport: { type: 'ses' },
    ...overrides,
  };
  writeFileSync(path.join(dir, 'digest.config.json'), JSON.stringify(config, null, 2));
}

function environment(ses: SesV2Server, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PINBOARD_TOKEN: TOKEN,
    PINBOARD_API_URL: pinboard.url,
    DIGEST_SIGNING_SECRET: SECRET,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDDOCTORTEST',
    AWS_SECRET_ACCESS_KEY: 'doctor-test-aws-secret-key-0123456789',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SESV2: ses.url,
    DIGEST_DNS_SERVERS: dns.address,
    NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem'),
    ...extra,
  };
}

/** On Node 20 the AWS SDK warns that later releases need Node 22: the only stderr a healthy run may have. */
const withoutSdkNodeWarning = (stderr: string) =>
  stderr.replace(
    /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?to show where the warning was created\)\n?/,
    '',
  );

/** The check lines of the text report: everything before the blank line and the tally. */
const checkLines = (stdout: string) => stdout.split('\n\n')[0]?.split('\n') ?? [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'pd-doctor-'));
  pinboard = await startPinboardServer({
    token: TOKEN,
    posts: [
      {
        href: 'https://example.org/a',
        description: 'A',
        extended: '',
        time: '2026-11-20T09:00:00Z',
        shared: 'yes',
        toread: 'no',
        tags: 'x',
      },
    ],
  });
  sesGood = await startSesV2Server({
    account: {
      sendingEnabled: true,
      productionAccessEnabled: true,
      enforcementStatus: 'HEALTHY',
      max24HourSend: 50_000,
      maxSendRate: 14,
      sentLast24Hours: 1_200,
    },
    identities: { 'links.example': { type: 'DOMAIN', verified: true, dkimStatus: 'SUCCESS' } },
  });
  sesBad = await startSesV2Server({
    account: {
      sendingEnabled: false,
      productionAccessEnabled: false,
      enforcementStatus: 'HEALTHY',
      max24HourSend: 200,
      maxSendRate: 1,
      sentLast24Hours: 200,
    },
    identities: {},
  });
  dns = await startDnsServer({
    txt: {
      'links.example': ['v=spf1 include:amazonses.com ~all', 'google-site-verification=abc123'],
      '_dmarc.links.example': ['v=DMARC1; p=quarantine; rua=mailto:dmarc@links.example'],
      'broken.example': ['google-site-verification=only-this'],
    },
    silent: ['slow.example', '_dmarc.slow.example'],
  });
  // serve reads the same config as the passing run, whose siteUrl is the front's: the front comes first.
  let serveUrl = 'http://127.0.0.1:1';
  front = await startFront(() => serveUrl);
  frontUrl = `https://${FRONT_HOST}:${(front.address() as AddressInfo).port}`;
  const serveDir = mkdtempSync(path.join(root, 'serve-'));
  writeConfig(serveDir, {});
  served = await startServe(serveDir, ['--port', String(await freePort())], environment(sesGood));
  serveUrl = served.url;
}, 60_000);

afterAll(async () => {
  await served?.stop();
  front?.closeAllConnections();
  await new Promise((resolve) => front?.close(resolve));
  await Promise.all([pinboard?.stop(), sesGood?.stop(), sesBad?.stop(), dns?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('pinboard-digest doctor', () => {
  it('passes every check against healthy stand-ins, exit 0, and --json says the same', async () => {
    const dir = mkdtempSync(path.join(root, 'pass-'));
    writeConfig(dir, {});
    const env = environment(sesGood);
    const run = await runCli(['doctor', '--timeout', '20'], { cwd: dir, env });
    expect(withoutSdkNodeWarning(run.stderr)).toBe('');
    const lines = checkLines(run.stdout);
    expect(lines).toHaveLength(ALL_CHECKS.length);
    for (const line of lines) expect(line).toMatch(/^✔ /);
    expect(run.stdout).toContain('13 passed, 0 to look at, 0 failed: ready.');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '✔ Pinboard token: works for curator (posts/update: bookmarks last changed 2026-11-20 09:00 UTC)',
    );
    expect(run.stdout).toContain('✔ SES sending identity: links.example is verified and signs with DKIM (SUCCESS)');
    expect(run.stdout).toContain(
      '✔ SES rate and quota: 14 messages a second; 48,800 of 50,000 left in the 24-hour quota',
    );
    expect(run.stdout).toContain('✔ SPF record: links.example: "v=spf1 include:amazonses.com ~all"');
    expect(run.stdout).toContain(`✔ Unsubscribe route: GET ${frontUrl}/unsubscribe without a token gives`);

    // Each stand-in was asked what doctor says it asked: signed SES v2 calls, TXT questions, one posts/update.
    expect(sesGood.requests.map((r) => `${r.method} ${r.path} ${r.authorized}`)).toEqual(
      expect.arrayContaining(['GET /v2/email/account true', 'GET /v2/email/identities/links.example true']),
    );
    expect(dns.questions).toEqual(
      expect.arrayContaining([
        { name: 'links.example', type: 16 },
        { name: '_dmarc.links.example', type: 16 },
      ]),
    );
    expect(pinboard.calls.filter((c) => c.method === 'posts/update' && c.status === 200)).toHaveLength(1);

    const json = await runCli(['doctor', '--json', '--timeout', '20'], { cwd: dir, env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ pass: 13, warn: 0, fail: 0, skip: 0 });
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    for (const c of report.checks) expect(c.status).toBe('pass');
    // Pinboard's limit: the second run waited out the 3 s spacing the first one left in the store.
    const updates = pinboard.calls.filter((c) => c.method === 'posts/update');
    expect(updates.map((c) => c.status)).toEqual([200, 200]);
    expect((updates[1]?.at ?? 0) - (updates[0]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
  }, 60_000);

  it('fails every check against broken stand-ins, each ✗ with its fix, exit 1, secrets never shown', async () => {
    const dir = mkdtempSync(path.join(root, 'fail-'));
    const deadPort = await freePort();
    writeConfig(dir, {
      siteUrl: `https://${FRONT_HOST}:${deadPort}`,
      from: 'Broken <digest@broken.example>',
      templates: 'no-such-templates',
    });
    writeFileSync(path.join(dir, 'state-is-a-file'), 'not a folder');
    const badToken = 'curator:FFFFFFFFFFFFFFFFFFFFFFFF';
    const env = environment(sesBad, { PINBOARD_TOKEN: badToken, DIGEST_SIGNING_SECRET: 'short-secret-123' });
    const run = await runCli(['doctor', '--state', 'state-is-a-file', '--timeout', '20'], { cwd: dir, env });
    expect(run.code).toBe(1);
    const lines = checkLines(run.stdout);
    expect(lines).toHaveLength(ALL_CHECKS.length);
    // The config has to parse for anything else to be checked; the sandbox is advisory (⚠) by design.
    expect(lines[0]).toMatch(/^✔ Config: /);
    const sandbox = lines.find((l) => l.includes('SES sandbox'));
    expect(sandbox).toMatch(/^⚠ SES sandbox: the account is in the sandbox.* — fix: request production access/);
    for (const line of lines.filter((l) => l !== lines[0] && l !== sandbox)) expect(line).toMatch(/^✗ .+ — fix: \S/);
    expect(run.stdout).toContain('1 passed, 1 to look at, 11 failed: fix the ✗ lines above');

    const text = run.stdout;
    expect(text).toMatch(/✗ Templates: cannot read template\(s\) in .*no-such-templates/);
    expect(text).toMatch(/✗ Signing secret: DIGEST_SIGNING_SECRET is 16 characters long/);
    expect(text).toMatch(/✗ Store: .*state-is-a-file: ENOTDIR.* — fix: make .* a folder you can write to/);
    expect(text).toMatch(
      /✗ Pinboard token: Pinboard posts\/update: Pinboard refused the token \(401\).* — fix: set PINBOARD_TOKEN/,
    );
    expect(text).toMatch(/✗ SES sending identity: neither broken.example nor digest@broken.example is an SES identity/);
    expect(text).toMatch(/✗ SES sending: sending is paused for this account/);
    expect(text).toMatch(/✗ SES rate and quota: 1 message a second; 0 of 200 left/);
    expect(text).toMatch(
      /✗ SPF record: broken.example has no SPF record.* — fix: add a TXT record on broken.example: "v=spf1 include:amazonses.com ~all"/,
    );
    expect(text).toMatch(
      /✗ DMARC record: _dmarc.broken.example has no DMARC record.* — fix: add a TXT record on _dmarc.broken.example/,
    );
    expect(text).toMatch(/✗ Site: https:\/\/127.0.0.2:\d+ does not answer: ECONNREFUSED/);
    expect(text).toMatch(/✗ Unsubscribe route: GET https:\/\/127.0.0.2:\d+\/unsubscribe does not answer/);
    for (const secret of ['FFFFFFFFFFFFFFFFFFFFFFFF', 'short-secret-123', 'doctor-test-aws-secret-key']) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    }

    const json = await runCli(['doctor', '--json', '--state', 'state-is-a-file', '--timeout', '20'], { cwd: dir, env });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    for (const c of report.checks.filter((c) => c.id !== 'config' && c.id !== 'ses-sandbox')) {
      expect(c).toMatchObject({ status: 'fail', fix: expect.any(String) });
    }
  }, 60_000);

  it('never hangs: an SES endpoint and a DNS server that do not answer fail within --timeout', async () => {
    const dir = mkdtempSync(path.join(root, 'slow-'));
    writeConfig(dir, { from: 'Slow <digest@slow.example>' });
    sesBad.state.hang = true;
    try {
      const started = Date.now();
      const run = await runCli(['doctor', '--timeout', '3'], { cwd: dir, env: environment(sesBad) });
      const seconds = (Date.now() - started) / 1000;
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✗ SES sending identity: no answer within 3 s — fix: /);
      expect(run.stdout).toMatch(/✗ SES account: no answer within 3 s — fix: /);
      expect(run.stdout).toMatch(/✗ SPF record: (no answer within 3 s|looking up TXT slow.example failed: ETIMEOUT)/);
      expect(seconds).toBeLessThan(15);
    } finally {
      sesBad.state.hang = false;
    }
  }, 60_000);

  it('reaches a DynamoDB store with DescribeTable: an ACTIVE table passes, a missing one fails naming it', async () => {
    const dynalite = require('dynalite') as (options: object) => http.Server;
    const db = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
    try {
      const client = new DynamoDBClient({
        endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await new DynamoDbStore({ table: 'digest', client }).createTable();
      const dir = mkdtempSync(path.join(root, 'dynamo-'));
      const env = environment(sesGood, { AWS_ENDPOINT_URL_DYNAMODB: endpoint });
      const storeLine = async (table: string) => {
        writeConfig(dir, { store: { type: 'dynamodb', table } });
        const run = await runCli(['doctor', '--json', '--timeout', '20'], { cwd: dir, env });
        return (JSON.parse(run.stdout) as JsonReport).checks.find((c) => c.id === 'store');
      };
      expect(await storeLine('digest')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('DynamoDB table digest is ACTIVE'),
      });
      expect(await storeLine('nope')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('DynamoDB table nope: ResourceNotFoundException'),
        fix: expect.stringContaining('the table nope exists'),
      });
    } finally {
      await new Promise((resolve) => db.close(resolve));
    }
  }, 60_000);

  it('reads each source once and fails naming it: a feed that answers 404, one that refuses the connection, a missing file, an unknown Pinboard user', async () => {
    const rss = (items: string[]) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://feeds.example/</link>${items
        .map(
          (i) =>
            `<item><title>${i}</title><link>https://feeds.example/${i}</link><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item>`,
        )
        .join('')}</channel></rss>`;
    const hits: string[] = [];
    const feeds = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/good.xml')
        return res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(rss(['a', 'b']));
      if (url.pathname === '/rss/u:curator/')
        return res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(rss(['c']));
      // Pinboard answers a user that does not exist with an empty feed.
      if (url.pathname === '/rss/u:nobody-here/')
        return res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(rss([]));
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such feed');
    });
    await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
    const closed = `http://127.0.0.1:${await freePort()}/feed.xml`;
    try {
      const dir = mkdtempSync(path.join(root, 'sources-'));
      writeFileSync(
        path.join(dir, 'export.json'),
        JSON.stringify([
          { href: 'https://e.example/', description: 'E', extended: '', time: '2026-11-20T09:00:00Z', tags: '' },
        ]),
      );
      writeConfig(dir, {
        transport: { type: 'outbox', dir: 'outbox' },
        source: [
          { type: 'feed', url: `${base}/good.xml` },
          { type: 'feed', url: `${base}/gone.xml` },
          { type: 'feed', url: closed },
          { type: 'file', path: 'export.json' },
          { type: 'file', path: 'missing.json' },
          { type: 'pinboard-rss', user: 'curator' },
          { type: 'pinboard-rss', user: 'nobody-here' },
        ],
      });
      const run = await runCli(['doctor', '--timeout', '20'], {
        cwd: dir,
        env: environment(sesGood, { PINBOARD_FEEDS_URL: base }),
      });
      expect(run.code).toBe(1);
      const lines = checkLines(run.stdout).filter((l) => l.includes(' Source ('));
      expect(lines).toHaveLength(7);
      expect(lines[0]).toMatch(
        /^✔ Source \(feed http:\/\/127\.0\.0\.1:\d+\/good\.xml\): answers and parses: 2 bookmarks$/,
      );
      expect(lines[1]).toMatch(/^✗ Source \(feed .*\/gone\.xml\): .*HTTP 404.* — fix: check source\.url/);
      expect(lines[2]).toMatch(
        /^✗ Source \(feed .*\/feed\.xml\): .*(ECONNREFUSED|refused|fetch failed).* — fix: check source\.url/,
      );
      expect(lines[3]).toMatch(/^✔ Source \(bookmark file .*export\.json\): parses: 1 bookmark$/);
      expect(lines[4]).toMatch(
        /^✗ Source \(bookmark file .*missing\.json\): cannot read bookmark file .*ENOENT.* — fix: check source\.path/,
      );
      expect(lines[5]).toMatch(/^✔ Source \(Pinboard feed of curator\): answers and parses: 1 bookmark$/);
      expect(lines[6]).toMatch(
        /^✗ Source \(Pinboard feed of nobody-here\): no public bookmarks: the user "nobody-here" does not exist.* — fix: check source\.user/,
      );
      // Once each: no retries, nothing read twice.
      const paths = hits.map((h) => new URL(h, 'http://x').pathname).sort();
      expect(paths).toEqual(['/gone.xml', '/good.xml', '/rss/u:curator/', '/rss/u:nobody-here/']);
      expect(run.stdout).toMatch(/fix the ✗ lines above/);
    } finally {
      await new Promise((resolve) => feeds.close(resolve));
    }
  }, 60_000);

  it('a config that does not parse is one ✗ line naming the file and the key, exit 1', async () => {
    const dir = mkdtempSync(path.join(root, 'broken-'));
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      '{\n  // a comment is fine\n  "title": "T",\n  "sitUrl": "x"\n}',
    );
    const run = await runCli(['doctor'], { cwd: dir, env: environment(sesGood) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ Config: .*digest.config.json is not a valid config: .*sitUrl.* — fix: /);
    const json = JSON.parse((await runCli(['doctor', '--json'], { cwd: dir })).stdout) as JsonReport;
    expect(json.checks).toEqual([expect.objectContaining({ id: 'config', status: 'fail' })]);
  }, 60_000);
});
