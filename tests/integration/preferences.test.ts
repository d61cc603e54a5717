/**
 * Readers choose, through the real CLI and `serve` on the file store and the outbox: the sections each takes
 * and a pause, set by `subscribers prefs` and by the "Choose what you get" page; a send where readers chose
 * different sections (each message holds exactly its sections, its subject counting them), a paused reader
 * (nothing, and the ledger says so), and every way the page's link can be wrong.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { createToken } from '../../lambda/core/tokens';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { freePort, send, startServe } from '../helpers/serve';

const SECTIONS = [
  { title: 'Science', tags: ['science'] },
  { title: 'Web', tags: ['web'] },
];
const POSTS = [
  rawPost(5, 1, { tags: 'science' }),
  rawPost(4, 2, { tags: 'science' }),
  rawPost(3, 3, { tags: 'web' }),
  rawPost(2, 4, { tags: 'cooking' }),
];
const READERS = ['all@example.com,All', 'sci@example.com,Sci', 'web@example.com,Web', 'away@example.com,Away'];

const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd });
const mailTo = async (cwd: string, address: string, issue = 1): Promise<ParsedMail | undefined> => {
  const file = readdirSync(path.join(cwd, 'outbox')).find(
    (f) => f === `issue-${String(issue).padStart(4, '0')}-${address}.eml`,
  );
  return file ? simpleParser(readFileSync(path.join(cwd, 'outbox', file))) : undefined;
};
const linksIn = (m: ParsedMail | undefined) =>
  [...(m?.html || '').matchAll(/href="https:\/\/example\.com\/(\d+)"/g)].map((x) => Number(x[1])).sort();

/** The readers on the list before anyone chooses (the seed file is read only by the first send otherwise). */
async function seed(cwd: string) {
  for (const row of READERS) {
    const [email] = row.split(',');
    expect((await cli(cwd, 'subscribers', 'add', email ?? '', '--confirmed')).code).toBe(0);
  }
}

async function project(port?: number) {
  const cwd = makeProject({
    posts: POSTS,
    subscribers: READERS,
    config: { sections: SECTIONS, ...(port ? { siteUrl: `http://127.0.0.1:${port}` } : {}) },
  });
  await seed(cwd);
  return cwd;
}

describe('readers choose their sections, or a pause', () => {
  it('each message holds exactly the sections its reader chose; a paused reader gets nothing', async () => {
    const cwd = makeProject({ posts: POSTS, subscribers: READERS, config: { sections: SECTIONS } });
    await seed(cwd);

    expect((await cli(cwd, 'subscribers', 'prefs', 'sci@example.com', '--sections', 'science')).stdout).toMatch(
      /sci@example\.com: sections: Science; .*pause: none\. It applies from the next issue/,
    );
    // "Everything else" is chosen with Web: the cooking link (no section of its own) comes too.
    expect((await cli(cwd, 'subscribers', 'prefs', 'web@example.com', '--sections', 'Web,Everything else')).code).toBe(
      0,
    );
    expect((await cli(cwd, 'subscribers', 'prefs', 'away@example.com', '--pause-weeks', '4')).stdout).toMatch(
      /pause: until 20/,
    );
    const wrong = await cli(cwd, 'subscribers', 'prefs', 'sci@example.com', '--sections', 'Cats');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/no section "Cats": the sections are "Science", "Web", "Everything else"/);
    const pace = await cli(cwd, 'subscribers', 'prefs', 'all@example.com', '--frequency', 'daily');
    expect(pace.code).toBe(2);
    expect(pace.stderr).toMatch(/the frequency is "issue" \(every issue\) or "monthly" \(a round-up\), not "daily"/);

    const sent = await cli(cwd, 'send');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/Issue #1 .* delivered/);

    expect(linksIn(await mailTo(cwd, 'all@example.com'))).toEqual([1, 2, 3, 4]);
    const sci = await mailTo(cwd, 'sci@example.com');
    expect(linksIn(sci)).toEqual([1, 2]);
    expect(sci?.subject).toMatch(/: 2 links$/);
    expect(sci?.text).not.toContain('Post 3');
    expect(sci?.html).not.toMatch(/<h2[^>]*>\s*Web/);
    const web = await mailTo(cwd, 'web@example.com');
    expect(linksIn(web)).toEqual([3, 4]);
    expect(web?.subject).toMatch(/: 2 links$/);
    expect(await mailTo(cwd, 'away@example.com')).toBeUndefined();

    // The issue is done: the paused reader is omitted in the ledger, not missing.
    const shown = await cli(cwd, 'issues', 'show', '1', '--json');
    const detail = JSON.parse(shown.stdout) as { status: string; sent: number; omitted: number };
    expect(detail).toMatchObject({ status: 'sent', sent: 3 });
    expect(detail).toMatchObject({ omitted: 1 });
    expect((await cli(cwd, 'issues', 'show', '1')).stdout).toMatch(
      /sent 3, refused 0, unfinished 0, nothing by their choice 1;/,
    );
    // The archive is the whole issue.
    const page = readFileSync(path.join(cwd, 'out', 'site', 'issues', '1', 'index.html'), 'utf8');
    for (const n of [1, 2, 3, 4]) expect(page).toContain(`https://example.com/${n}`);
  });
});

describe('choices travel with the list', () => {
  it('export writes them, import reads them back, and a section the digest does not have is refused by line', async () => {
    const from = makeProject({ posts: POSTS, subscribers: READERS, config: { sections: SECTIONS } });
    await seed(from);
    await cli(from, 'subscribers', 'prefs', 'sci@example.com', '--sections', 'Science');
    await cli(from, 'subscribers', 'prefs', 'away@example.com', '--pause-weeks', '8', '--frequency', 'monthly');
    const csv = (await cli(from, 'subscribers', 'export')).stdout;
    expect(csv.split('\n')[0]).toBe('email,name,status,created_at,source,sections,frequency,paused_until');
    expect(csv).toMatch(/^sci@example\.com,.*,Science,,$/m);
    expect(csv).toMatch(/^away@example\.com,.*,,monthly,20\d\d-\d\d-\d\dT[^,]+$/m);

    const to = makeProject({ posts: POSTS, subscribers: [], config: { sections: SECTIONS } });
    writeFileSync(path.join(to, 'moved.csv'), csv);
    expect((await cli(to, 'subscribers', 'import', 'moved.csv')).code).toBe(0);
    const list = JSON.parse((await cli(to, 'subscribers', 'list', '--json')).stdout) as {
      email: string;
      prefs?: unknown;
    }[];
    expect(list.find((s) => s.email === 'sci@example.com')?.prefs).toEqual({ sections: ['Science'] });
    expect(list.find((s) => s.email === 'away@example.com')?.prefs).toEqual({
      frequency: 'monthly',
      pausedUntil: expect.any(String),
    });
    expect(list.find((s) => s.email === 'all@example.com')?.prefs).toBeUndefined();

    writeFileSync(path.join(to, 'odd.csv'), 'email,sections\ncats@example.com,Cats;Web\n');
    const odd = await cli(to, 'subscribers', 'import', 'odd.csv');
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/line 2: sections: no section "Cats"/);
  });
});

describe('the "Choose what you get" page on serve', () => {
  it('GET shows the reader’s choices and changes nothing; POST saves; a wrong token changes nothing', async () => {
    const port = await freePort();
    const cwd = await project(port);
    await cli(cwd, 'send');
    const mail = await mailTo(cwd, 'all@example.com');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/preferences\?token=[A-Za-z0-9._%-]+)/.exec(mail?.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(mail?.html).toContain('Choose what you get');
    const token = decodeURIComponent(new URL(link as string).searchParams.get('token') ?? '');
    const secret = readFileSync(path.join(cwd, '.digest', 'signing.key'), 'utf8').trim();
    const prefsOf = async (email: string) => {
      const list = JSON.parse((await cli(cwd, 'subscribers', 'list', '--json')).stdout) as {
        email: string;
        prefs?: unknown;
      }[];
      return list.find((s) => s.email === email)?.prefs;
    };

    const served = await startServe(cwd);
    try {
      const page = await send(link as string);
      expect(page.status).toBe(200);
      expect((page.body.match(/<form/g) ?? []).length).toBe(1);
      expect(page.body).toMatch(/name="section" value="Science" checked/);
      expect(page.body).toMatch(/name="frequency" value="issue" checked/);
      expect(page.body).toMatch(/\/unsubscribe\?token(=|&#61;)/);
      expect(await prefsOf('all@example.com')).toBeUndefined();

      const post = (body: string) =>
        send(`${served.url}/preferences`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        });
      const saved = await post(`token=${encodeURIComponent(token)}&section=Web&frequency=monthly&pause=8`);
      expect(saved.status).toBe(200);
      expect(saved.body).toMatch(/Saved/);
      expect(saved.body).toMatch(/name="frequency" value="monthly" checked/);
      expect(await prefsOf('all@example.com')).toMatchObject({
        sections: ['Web'],
        frequency: 'monthly',
        pausedUntil: expect.any(String),
      });
      const resumed = await post(
        `token=${encodeURIComponent(token)}&section=Science&section=Web&section=Everything+else&frequency=issue&pause=0`,
      );
      expect(resumed.status).toBe(200);
      expect(await prefsOf('all@example.com')).toBeUndefined();

      // Forged, expired, another purpose's token: nothing changes.
      const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect((await post(`token=${encodeURIComponent(forged)}&section=Web`)).status).toBe(400);
      const id = token.split('.')[0] ?? '';
      const expired = createToken(secret, 'preferences', id, Date.now() - 60_000);
      expect((await post(`token=${encodeURIComponent(expired)}&section=Web`)).status).toBe(400);
      const unsubscribeToken = createToken(secret, 'unsubscribe', id);
      expect((await post(`token=${encodeURIComponent(unsubscribeToken)}&section=Web`)).status).toBe(400);
      expect(await prefsOf('all@example.com')).toBeUndefined();
      // The preferences link cannot unsubscribe.
      const asUnsubscribe = await send(`${served.url}/unsubscribe?token=${encodeURIComponent(token)}`, {
        method: 'POST',
      });
      expect(asUnsubscribe.status).toBe(400);
      // Another reader's token changes that reader only.
      const list = JSON.parse((await cli(cwd, 'subscribers', 'list', '--json')).stdout) as {
        id: string;
        email: string;
        status: string;
      }[];
      const sci = list.find((s) => s.email === 'sci@example.com');
      const other = createToken(secret, 'preferences', sci?.id ?? '');
      expect((await post(`token=${encodeURIComponent(other)}&section=Science`)).status).toBe(200);
      expect(await prefsOf('sci@example.com')).toEqual({ sections: ['Science'] });
      expect(await prefsOf('all@example.com')).toBeUndefined();
      expect(list.every((s) => s.status === 'active')).toBe(true);
      // A section that does not exist: refused, named.
      const bad = await post(`token=${encodeURIComponent(token)}&section=Cats`);
      expect(bad.status).toBe(422);
      expect(bad.body).toMatch(/no section &quot;Cats&quot;/);
    } finally {
      await served.stop();
    }
  });
});

describe('choices on the sign-up form', () => {
  it('the form offers them folded away; a new address keeps what it chose, one on the list keeps its own', async () => {
    const port = await freePort();
    const cwd = await project(port);
    const served = await startServe(cwd);
    const prefsOf = async (email: string) => {
      const list = JSON.parse((await cli(cwd, 'subscribers', 'list', '--json')).stdout) as {
        email: string;
        status: string;
        prefs?: unknown;
      }[];
      return list.find((s) => s.email === email);
    };
    try {
      const form = await send(`${served.url}/`);
      expect(form.body).toMatch(/<details><summary>Choose what you get \(optional\)<\/summary>/);
      expect(form.body).toMatch(/name="section" value="Everything else" checked/);
      expect(form.body).toMatch(/name="frequency" value="issue" checked/);
      const signUp = (body: string) =>
        send(`${served.url}/subscribe`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        });
      expect((await signUp('email=new%40example.com&section=Science&frequency=monthly')).status).toBe(200);
      expect(await prefsOf('new@example.com')).toMatchObject({
        status: 'pending',
        prefs: { sections: ['Science'], frequency: 'monthly' },
      });
      // Everything ticked and every issue: no choices stored.
      const all = 'section=Science&section=Web&section=Everything+else&frequency=issue';
      expect((await signUp(`email=plain%40example.com&${all}`)).status).toBe(200);
      expect((await prefsOf('plain@example.com'))?.prefs).toBeUndefined();
      // Someone signing up an address already on the list cannot change what its reader chose.
      expect((await signUp('email=all%40example.com&section=Web&frequency=monthly')).status).toBe(200);
      expect((await prefsOf('all@example.com'))?.prefs).toBeUndefined();
      // A section the digest does not have: refused, named, nothing stored.
      const odd = await signUp('email=cats%40example.com&section=Cats');
      expect(odd.status).toBe(400);
      expect(odd.body).toMatch(/no section &quot;Cats&quot;/);
      expect(await prefsOf('cats@example.com')).toBeUndefined();
    } finally {
      await served.stop();
    }
  });
});
