/** HttpLinkChecker against loopback servers: what it asks, what it reports, and its bounds in time and per host. */
import { HttpLinkChecker, type HttpLinkCheckerOptions, isPrivateAddress } from '../../lambda/adapters/link-checker';
import { type LinkServer, startLinkServer } from './servers/link-server';

let server: LinkServer;

beforeAll(async () => {
  server = await startLinkServer({ addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], slowMs: 10_000 });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  server.maxInFlight.clear();
});

const host = (i: number) => server.hosts[i] as string;
const checker = (overrides: Partial<HttpLinkCheckerOptions> = {}) =>
  new HttpLinkChecker({
    timeoutMs: 800,
    concurrency: 8,
    perHost: 2,
    followRedirects: true,
    maxRedirects: 3,
    userAgent: 'pinboard-digest-linkcheck/1 (+https://links.example.com)',
    allowPrivateHosts: true,
    ...overrides,
  });

describe('HttpLinkChecker', () => {
  it('reports status, redirects and where permanent moves end', async () => {
    const [ok, moved, temp, missing, loop] = await checker().check(
      ['/ok', '/moved', '/temp', '/missing', '/loop'].map((p) => host(0) + p),
    );
    expect(ok).toEqual({ url: `${host(0)}/ok`, kind: 'answer', status: 200, finalUrl: `${host(0)}/ok`, redirects: 0 });
    expect(moved).toMatchObject({
      status: 200,
      redirects: 1,
      finalUrl: `${host(0)}/ok`,
      permanentUrl: `${host(0)}/ok`,
    });
    expect(temp).toMatchObject({ status: 200, redirects: 1, finalUrl: `${host(0)}/ok` });
    expect(temp).not.toHaveProperty('permanentUrl');
    expect(missing).toMatchObject({ kind: 'answer', status: 404 });
    expect(loop).toEqual({ url: `${host(0)}/loop`, kind: 'failure', code: 'TOO_MANY_REDIRECTS' });
  });

  it('sends a polite User-Agent and confirms a 404 to HEAD with GET', async () => {
    await checker().check([`${host(0)}/missing`]);
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect(new Set(server.requests.map((r) => r.userAgent))).toEqual(
      new Set(['pinboard-digest-linkcheck/1 (+https://links.example.com)']),
    );
  });

  it('returns a redirect as the answer when told not to follow', async () => {
    const [moved] = await checker({ followRedirects: false }).check([`${host(0)}/moved`]);
    expect(moved).toMatchObject({ status: 301, redirects: 0 });
  });

  it('gives up on a slow host after one time limit and does not try its other links', async () => {
    const urls = [1, 2, 3, 4, 5].map((n) => `${host(1)}/slow/${n}`).concat(`${host(2)}/ok`);
    const started = Date.now();
    const probes = await checker({ perHost: 2 }).check(urls);
    const ms = Date.now() - started;
    expect(ms).toBeLessThan(800 * 2);
    expect(probes.map((p) => (p.kind === 'answer' ? p.status : p.code))).toEqual([
      'TIMEOUT',
      'TIMEOUT',
      'HOST_TIMED_OUT',
      'HOST_TIMED_OUT',
      'HOST_TIMED_OUT',
      200,
    ]);
    expect(server.requests.filter((r) => r.path.startsWith('/slow'))).toHaveLength(2);
  });

  it('stops at the deadline: links not started are skipped, those in flight are cut off', async () => {
    const urls = [1, 2, 3].map((n) => `${host(1)}/slow/${n}`);
    const started = Date.now();
    const probes = await checker({ timeoutMs: 5_000, perHost: 1 }).check(urls, { signal: AbortSignal.timeout(300) });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(probes.map((p) => (p.kind === 'skipped' ? p.code : p.kind))).toEqual(['DEADLINE', 'DEADLINE', 'DEADLINE']);
  });

  it('keeps to perHost on every host at once', async () => {
    const urls = [0, 1, 2].flatMap((h) => [...Array(12).keys()].map((n) => `${host(h)}/ok/${n}`));
    const probes = await checker({ perHost: 3, concurrency: 6 }).check(urls);
    expect(probes.every((p) => p.kind === 'answer' && p.status === 200)).toBe(true);
    expect([...server.maxInFlight.values()].every((n) => n <= 3)).toBe(true);
  });

  it('reports a reset connection and an unknown host by their codes', async () => {
    const [reset, nowhere] = await checker().check([`${host(0)}/reset`, 'http://nowhere.invalid/']);
    expect(reset).toMatchObject({ kind: 'failure', code: 'ECONNRESET' });
    expect(nowhere).toMatchObject({ kind: 'failure', code: 'ENOTFOUND' });
  });

  it('by default requests no loopback or private address, literal or resolved', async () => {
    const probes = await checker({ allowPrivateHosts: false }).check([
      `${host(0)}/ok`,
      `http://localhost:${new URL(host(0)).port}/ok`,
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
    ]);
    expect(probes.map((p) => (p.kind === 'skipped' ? p.code : p.kind))).toEqual(Array(6).fill('PRIVATE_ADDRESS'));
    expect(server.requests).toEqual([]);
  });

  it('knows private addresses from public ones', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0.0.0.0',
    ]) {
      expect(isPrivateAddress(a)).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a)).toBe(false);
    }
  });
});
