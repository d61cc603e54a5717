/**
 * The link check end to end: the real CLI (`preview`, `send`) against a file source whose bookmarks point at
 * loopback servers answering 200, 301, 404, 410, slowly, with a reset, HEAD-refused, behind a self-signed
 * certificate, and at a host name that cannot exist. Nothing hangs, the summary names each link, and a dead
 * link never reaches the email.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type LinkServer, startLinkServer, startSelfSignedServer } from './servers/link-server';

const TIMEOUT_MS = 1_500;

let server: LinkServer;
let tls: Awaited<ReturnType<typeof startSelfSignedServer>>;

beforeAll(async () => {
  server = await startLinkServer({ addresses: ['127.0.0.1', '127.0.0.2'], slowMs: 20_000 });
  tls = await startSelfSignedServer();
});

afterAll(async () => {
  await server.stop();
  await tls.stop();
});

const host = (i: number) => server.hosts[i] as string;

/** One bookmark per kind of answer, oldest first; each title says what its link does. */
function links() {
  const rows: [string, string][] = [
    [`${host(0)}/ok`, 'Works'],
    [`${host(0)}/moved`, 'Moved for good'],
    [`${host(0)}/missing`, 'Missing page'],
    [`${host(1)}/gone`, 'Gone page'],
    [`${host(1)}/slow`, 'Slow host'],
    [`${host(1)}/reset`, 'Reset connection'],
    [`${host(0)}/no-head`, 'HEAD refused'],
    ['http://no-such-host.invalid/page', 'Vanished domain'],
    [tls.url, 'Bad certificate'],
  ];
  return rows.map(([href, description], i) => rawPost(10 - i, i + 1, { href, description, extended: '' }));
}

const DEAD = ['Missing page', 'Gone page', 'Vanished domain', 'Bad certificate'];
const SENT = ['Works', 'Moved for good', 'Slow host', 'Reset connection', 'HEAD refused'];

const linkCheck = (extra: Record<string, unknown> = {}) => ({
  enabled: true,
  timeoutMs: TIMEOUT_MS,
  perHost: 2,
  allowPrivateHosts: true,
  ...extra,
});

describe('preview with linkCheck (hold)', () => {
  let cwd: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  let ms: number;

  beforeAll(async () => {
    cwd = makeProject({ posts: links(), config: { linkCheck: linkCheck({ action: 'hold' }) } });
    const started = Date.now();
    result = await runCli(['preview', '--out', 'pv'], { cwd });
    ms = Date.now() - started;
  });

  it('finishes within the time limit of the slow link, not waiting for the slow server', () => {
    expect(result.code).toBe(0);
    // The slow server answers after 20 s; the check gives up after 1.5 s. The rest is the CLI starting.
    expect(ms).toBeLessThan(12_000);
  });

  it('lists every dead, unknown and redirected link in the summary', () => {
    const err = result.stderr;
    expect(err).toMatch(/link check: 9 links checked in [\d.]+ s: 2 working, 1 redirected, 4 dead, 2 unknown/);
    expect(err).toContain(`dead, held for the next issue: ${host(0)}/missing (404 Not Found)`);
    expect(err).toContain(`dead, held for the next issue: ${host(1)}/gone (410 Gone)`);
    expect(err).toContain(
      'dead, held for the next issue: http://no-such-host.invalid/page (DNS: no such host (ENOTFOUND))',
    );
    expect(err).toContain(
      `dead, held for the next issue: ${tls.url} (TLS: the certificate is refused (DEPTH_ZERO_SELF_SIGNED_CERT))`,
    );
    expect(err).toContain(`unknown, sent: ${host(1)}/slow (no answer within the time limit)`);
    expect(err).toContain(`unknown, sent: ${host(1)}/reset (connection reset)`);
    expect(err).toContain(`redirected: ${host(0)}/moved → ${host(0)}/ok`);
  });

  it('keeps every dead link out of the HTML and the text, and every other link in', () => {
    const html = readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8');
    const text = readFileSync(path.join(cwd, 'pv', 'digest.txt'), 'utf8');
    for (const title of DEAD) {
      expect(html).not.toContain(title);
      expect(text).not.toContain(title);
    }
    for (const url of [`${host(0)}/missing`, `${host(1)}/gone`, 'no-such-host.invalid', tls.url]) {
      expect(html).not.toContain(url);
      expect(text).not.toContain(url);
    }
    for (const title of SENT) {
      expect(html).toContain(title);
      expect(text).toContain(title);
    }
  });

  it('writes the dead links into digest.json beside the fields it always had', () => {
    const model = JSON.parse(readFileSync(path.join(cwd, 'pv', 'digest.json'), 'utf8'));
    expect(Object.keys(model)).toEqual(
      expect.arrayContaining(['issue', 'subject', 'preheader', 'window', 'sections', 'bookmarkCount', 'carriedOver']),
    );
    expect(model.bookmarkCount).toBe(5);
    expect(model.deadLinks).toEqual([
      { url: `${host(0)}/missing`, title: 'Missing page', status: 404, reason: '404 Not Found', action: 'held' },
      { url: `${host(1)}/gone`, title: 'Gone page', status: 410, reason: '410 Gone', action: 'held' },
      {
        url: 'http://no-such-host.invalid/page',
        title: 'Vanished domain',
        status: null,
        reason: 'DNS: no such host (ENOTFOUND)',
        action: 'held',
      },
      {
        url: tls.url,
        title: 'Bad certificate',
        status: null,
        reason: 'TLS: the certificate is refused (DEPTH_ZERO_SELF_SIGNED_CERT)',
        action: 'held',
      },
    ]);
  });

  it('asks HEAD first and GET only where HEAD is refused, never more than perHost at once per host', () => {
    const noHead = server.requests.filter((r) => r.path === '/no-head').map((r) => r.method);
    expect(noHead).toEqual(['HEAD', 'GET']);
    const ok = server.requests.filter((r) => r.path === '/ok').map((r) => r.method);
    expect(ok.every((m) => m === 'HEAD')).toBe(true);
    for (const n of server.maxInFlight.values()) expect(n).toBeLessThanOrEqual(2);
  });
});

describe('send with linkCheck (drop)', () => {
  it('delivers an email without the dead links and never offers them again', async () => {
    const cwd = makeProject({ posts: links(), config: { linkCheck: linkCheck({ action: 'drop' }) } });
    const sent = await runCli(['send'], { cwd });
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(`dead, dropped for good: ${host(0)}/missing (404 Not Found)`);
    const outbox = path.join(cwd, 'outbox');
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBe(2);
    const mail = await simpleParser(readFileSync(path.join(outbox, files[0] as string)));
    for (const title of DEAD) {
      expect(mail.html).not.toContain(title);
      expect(mail.text).not.toContain(title);
    }
    for (const title of SENT) expect(mail.text).toContain(title);

    // Dropped for good: the next run (same bookmarks) has nothing new to send, dead ones included.
    const again = await runCli(['preview', '--out', 'pv2'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to preview/);
    expect(existsSync(path.join(cwd, 'pv2', 'digest.html'))).toBe(false);
  });
});

describe('preview with linkCheck (mark)', () => {
  it('sends a dead link with a visible warning, escaped like every bookmark text', async () => {
    const posts = [
      rawPost(3, 1, { href: `${host(0)}/ok`, description: 'Works', extended: '' }),
      rawPost(2, 2, { href: `${host(0)}/missing`, description: 'Missing <b>page</b>', extended: 'Note & <i>more</i>' }),
    ];
    const cwd = makeProject({ posts, config: { linkCheck: linkCheck({ action: 'mark' }) } });
    const result = await runCli(['preview', '--out', 'pv'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`dead, sent marked: ${host(0)}/missing (404 Not Found)`);
    const html = readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8');
    const text = readFileSync(path.join(cwd, 'pv', 'digest.txt'), 'utf8');
    expect(html).toContain('⚠ This link did not work when the issue was made (404 Not Found).');
    expect(text).toContain('⚠ This link did not work when the issue was made (404 Not Found).');
    expect(html).toContain('Missing &lt;b&gt;page&lt;/b&gt;');
    expect(html).toContain('Note &amp; &lt;i&gt;more&lt;/i&gt;');
    expect(html).not.toContain('<i>more</i>');
  });
});

describe('a link check whose own network is down', () => {
  it('does not block the issue: nothing answers, so nothing is dead, and a warning says why', async () => {
    const posts = [1, 2, 3].map((n) =>
      rawPost(4 - n, n, { href: `http://host-${n}.invalid/post`, description: `Post ${n}`, extended: '' }),
    );
    const cwd = makeProject({ posts, config: { linkCheck: linkCheck({ action: 'drop' }) } });
    const result = await runCli(['preview', '--out', 'pv'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning: link check: none of 3 links got an HTTP answer \(ENOTFOUND ×3\); that looks like the checker's own network/,
    );
    expect(result.stderr).toMatch(/link check: 3 links checked in [\d.]+ s: 0 working, 0 dead, 3 unknown/);
    const model = JSON.parse(readFileSync(path.join(cwd, 'pv', 'digest.json'), 'utf8'));
    expect(model.bookmarkCount).toBe(3);
    expect(model.deadLinks).toEqual([]);
  });
});
