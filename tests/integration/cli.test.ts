/** The CLI contract, end to end: real processes, real files, the embedded example and custom configs. */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { runCli } from '../helpers/cli';
import { hoursAgo, rawPost as post } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';

const tmp = (name: string) => mkdtempSync(path.join(tmpdir(), `pd-cli-${name}-`));

const customProject = (posts: unknown[], config: Record<string, unknown> = {}) => makeProject({ posts, config });

const emls = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
    : [];

describe('pinboard-digest send on the embedded example', () => {
  const cwd = tmp('example');
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    first = await runCli(['send'], { cwd });
  });

  it('delivers the sample issue to every sample subscriber through the outbox and says where', async () => {
    expect(first.code).toBe(0);
    const files = emls(path.join(cwd, 'outbox'));
    expect(files).toHaveLength(5);
    expect(first.stdout).toMatch(/Issue #1 ".*" delivered: sent 5, refused 0, failed 0/);
    expect(first.stdout).toContain(path.join(cwd, 'outbox'));
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(path.join(cwd, 'outbox', f)))));
    const tokens = mails.map((m) => /token=([\w.-]+)/.exec(m.text ?? '')?.[1]);
    expect(new Set(tokens).size).toBe(5);
    for (const m of mails) {
      expect(m.html).toContain('How to add a directory to your PATH');
      expect(m.html).not.toContain('example-intranet.corp');
      expect(m.text).not.toContain('Personal diary');
    }
  });

  it('sends nothing new on a second run, and leaves the outbox and state as they were', async () => {
    const before = emls(path.join(cwd, 'outbox')).map((f) => statSync(path.join(cwd, 'outbox', f)).mtimeMs);
    const second = await runCli(['send'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Nothing to send: no new links since/);
    const after = emls(path.join(cwd, 'outbox')).map((f) => statSync(path.join(cwd, 'outbox', f)).mtimeMs);
    expect(after).toEqual(before);
    expect(readdirSync(path.join(cwd, '.digest', 'issues'))).toEqual(['000001.json']);
  });
});

describe('pinboard-digest send with new bookmarks', () => {
  it('puts only the new links in the second issue', async () => {
    const cwd = customProject([post(30, 1), post(20, 2)]);
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    writeFileSync(
      path.join(cwd, 'bookmarks.json'),
      JSON.stringify([post(30, 1), post(20, 2), post(2, 3), post(1, 4), post(1.5, 2, { description: 'Post 2 again' })]),
    );
    const second = await runCli(['send'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Issue #2 "My Links #2: 2 links" delivered: sent 2/);
    const files = emls(path.join(cwd, 'outbox')).filter((f) => f.startsWith('issue-0002-'));
    expect(files).toHaveLength(2);
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', files[0] ?? '')));
    expect(mail.text).toContain('https://example.com/3');
    expect(mail.text).toContain('https://example.com/4');
    expect(mail.text).not.toContain('https://example.com/1');
    expect(mail.text).not.toContain('Post 2 again');
  });
});

describe('pinboard-digest preview', () => {
  it('writes html, txt, json, eml and the archive site without touching state', async () => {
    const cwd = tmp('preview');
    const result = await runCli(['preview', '--out', 'pv'], { cwd });
    expect(result.code).toBe(0);
    expect(readdirSync(path.join(cwd, 'pv')).sort()).toEqual([
      'digest.eml',
      'digest.html',
      'digest.json',
      'digest.txt',
      'site',
    ]);
    // The next issue as the archive would show it: its page, the index and the feeds.
    for (const file of ['issues/1/index.html', 'issues/index.html', 'issues/atom.xml', 'issues/feed.json']) {
      expect(existsSync(path.join(cwd, 'pv', 'site', file))).toBe(true);
    }
    expect(existsSync(path.join(cwd, '.digest'))).toBe(false);
    expect(existsSync(path.join(cwd, 'outbox'))).toBe(false);
    const model = JSON.parse(readFileSync(path.join(cwd, 'pv', 'digest.json'), 'utf8'));
    expect(model).toMatchObject({ issue: 1, bookmarkCount: expect.any(Number), carriedOver: 0 });
    expect(model.sections.map((s: { title: string }) => s.title)).toEqual([
      'Programming',
      'The web and email',
      'Security',
      'Science',
      'Everything else',
    ]);
    const html = readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8');
    expect(Buffer.byteLength(html)).toBeLessThan(95_000);
    expect(html).toMatch(/href="https:\/\/links\.example\.com\/unsubscribe\?token=/);
    expect(html).toContain('&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;');
  });
});

describe('pinboard-digest errors', () => {
  it('names the file and key of a bad config, and exits 1', async () => {
    const cwd = customProject([post(1, 1)], { select: { maxBookmarks: -3 } });
    const result = await runCli(['send'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join(cwd, 'digest.config.json'));
    expect(result.stderr).toContain('select.maxBookmarks');
  });

  it('says which variable is missing for the Pinboard API', async () => {
    const cwd = customProject([], { source: { type: 'pinboard-api', user: 'me' } });
    const result = await runCli(['preview'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/set PINBOARD_TOKEN/);
  });

  it('rejects an unknown flag and a bad --since with usage help, exit 2', async () => {
    const cwd = tmp('flags');
    const flag = await runCli(['send', '--frobnicate'], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/frobnicate/);
    const since = await runCli(['preview', '--since', 'last tuesday'], { cwd });
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since: "last tuesday" is not a date/);
  });

  it.each(['preview', 'send', 'subscribers', 'serve'])('%s --help prints usage and exits 0', async (command) => {
    const result = await runCli([command, '--help'], { cwd: tmp('help') });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Usage: pinboard-digest ${command}`));
  });
});

describe('pinboard-digest subscribers', () => {
  it('adds, imports, lists, removes and exports', async () => {
    const cwd = tmp('subs');
    const state = ['--state', 'st'];
    expect(
      (await runCli(['subscribers', 'add', 'Ann@Example.COM', '--name', 'Ann', '--confirmed', ...state], { cwd }))
        .stdout,
    ).toMatch(/Added Ann@example.com/);
    expect((await runCli(['subscribers', 'add', 'not-an-email', ...state], { cwd })).code).toBe(2);
    writeFileSync(
      path.join(cwd, 'list.csv'),
      'Name,Email\n"Smith, Bo",bo@example.com\nX,broken\nAnn again,ann@example.com\n',
    );
    const imported = await runCli(['subscribers', 'import', 'list.csv', ...state], { cwd });
    expect(imported.stdout).toMatch(
      /1 added \(1 to be mailed, 0 not mailed\), 1 already on the list, 1 invalid rows skipped/,
    );
    expect(imported.stderr).toMatch(/line 3: "broken"/);
    expect((await runCli(['subscribers', 'remove', 'bo@example.com', ...state], { cwd })).code).toBe(0);
    const list = JSON.parse((await runCli(['subscribers', 'list', '--json', ...state], { cwd })).stdout);
    expect(list.map((s: { email: string; status: string }) => `${s.email} ${s.status}`)).toEqual([
      'Ann@example.com active',
      'bo@example.com unsubscribed',
    ]);
    const csv = (await runCli(['subscribers', 'export', ...state], { cwd })).stdout.trim().split('\n');
    expect(csv[0]).toBe('email,name,status,created_at,source,sections,frequency,paused_until');
    expect(csv[2]).toMatch(/^bo@example.com,"Smith, Bo",unsubscribed,/);
  });
});

describe('pinboard-digest with a custom template folder', () => {
  it('uses the author’s templates', async () => {
    const cwd = customProject([post(1, 1)], { templates: 'tpl' });
    cpSync(path.resolve(__dirname, '../../templates'), path.join(cwd, 'tpl'), { recursive: true });
    writeFileSync(path.join(cwd, 'tpl', 'subject.hbs'), 'Weekly: {{count}} finds');
    const result = await runCli(['preview', '--out', 'pv'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, 'pv', 'digest.json'), 'utf8')).subject).toBe('Weekly: 1 finds');
  });

  it('refuses broken MJML before anything is sent', async () => {
    const cwd = customProject([post(1, 1)], { templates: 'tpl' });
    cpSync(path.resolve(__dirname, '../../templates'), path.join(cwd, 'tpl'), { recursive: true });
    writeFileSync(
      path.join(cwd, 'tpl', 'digest.mjml'),
      '<mjml><mj-body><mj-section><mj-bogus/></mj-section></mj-body></mjml>',
    );
    const result = await runCli(['send'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/RenderError: .*digest\.mjml:\d+: invalid MJML/);
    expect(existsSync(path.join(cwd, 'outbox'))).toBe(false);
  });
});

describe('pinboard-digest against a Pinboard-compatible API server', () => {
  it('sends from the API with Pinboard’s limits kept, and a refused token changes nothing', async () => {
    const { startPinboardServer } = await import('./servers/pinboard-server');
    const token = 'me:00FF00FF00FF00FF00FF';
    const server = await startPinboardServer({
      token,
      posts: [post(5, 1, { tags: 'web .secret' }), post(3, 2, { shared: 'no', description: 'HIDDEN' })],
    });
    try {
      const cwd = customProject([], { source: { type: 'pinboard-api', user: 'me' } });
      const env = { PINBOARD_TOKEN: token, PINBOARD_API_URL: server.url };
      const sent = await runCli(['send'], { cwd, env });
      expect(sent.code).toBe(0);
      expect(server.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['posts/update 200', 'posts/all 200']);
      const files = emls(path.join(cwd, 'outbox'));
      expect(files).toHaveLength(2);
      const raw = readFileSync(path.join(cwd, 'outbox', files[0] ?? ''), 'utf8');
      expect(raw).not.toMatch(/HIDDEN|secret/);
      expect(sent.stdout + sent.stderr).not.toContain('00FF00FF00FF00FF00FF');

      const refused = await runCli(['send', '--since', hoursAgo(48)], {
        cwd,
        env: { ...env, PINBOARD_TOKEN: 'me:WRONG' },
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/SourceError: Pinboard posts\/update: Pinboard refused the token \(401\)/);
      expect(refused.stderr).not.toContain('WRONG');
      expect(readdirSync(path.join(cwd, '.digest', 'issues'))).toEqual(['000001.json']);
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('pinboard-digest send with nobody subscribed', () => {
  it('refuses to spend the links on an issue nobody gets', async () => {
    const cwd = customProject([post(2, 1)], { subscribersSeed: undefined });
    const result = await runCli(['send'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/No active subscribers: nothing sent, state unchanged/);
    expect(existsSync(path.join(cwd, '.digest', 'issues'))).toBe(false);
  });
});

describe('pinboard-digest with a Pinboard RSS source', () => {
  it('previews from the public feed at PINBOARD_FEEDS_URL, asking for enough items', async () => {
    const { startStaticServer } = await import('./servers/static-server');
    const when = new Date(Date.now() - 3_600_000).toISOString();
    const rdf = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://pinboard.in"><title>Pinboard (me)</title><link>https://pinboard.in/u:me/</link><description/></channel>
<item rdf:about="https://feed.example/a"><title>From the feed</title><dc:date>${when}</dc:date><link>https://feed.example/a</link><description>Feed note</description><dc:subject>rss web</dc:subject></item>
</rdf:RDF>`;
    const server = await startStaticServer(() => ({ status: 200, type: 'application/rss+xml', body: rdf }));
    try {
      const cwd = customProject([], { source: { type: 'pinboard-rss', user: 'me' } });
      const result = await runCli(['preview', '--out', 'pv'], { cwd, env: { PINBOARD_FEEDS_URL: server.url } });
      expect(result.code).toBe(0);
      expect(server.requests).toEqual(['/rss/u:me/?count=400']);
      const model = JSON.parse(readFileSync(path.join(cwd, 'pv', 'digest.json'), 'utf8'));
      expect(model.sections[0].bookmarks[0]).toMatchObject({ url: 'https://feed.example/a', tags: ['rss', 'web'] });
      expect(readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8')).toContain('https://pinboard.in/u:me/t:rss/');
    } finally {
      await server.stop();
    }
  });
});
