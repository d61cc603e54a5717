/** `pinboard-digest subscribers`: double opt-in from the CLI, the mailto door, list/export/import round trip. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';

// Each test runs the real CLI several times: on a machine busy with other suites one takes 20 s or more.
jest.setTimeout(120_000);

const list = async (cwd: string, ...extra: string[]) =>
  JSON.parse((await runCli(['subscribers', 'list', '--json', ...extra], { cwd })).stdout) as {
    email: string;
    name?: string;
    status: string;
    createdAt: string;
    source?: string;
  }[];

const outbox = (cwd: string) => readdirSync(path.join(cwd, 'outbox')).sort();

describe('subscribers add', () => {
  it('mails a confirmation link and keeps the address pending; --confirmed adds it active', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    const added = await runCli(['subscribers', 'add', 'new@example.com'], { cwd });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Sent new@example\.com a confirmation link .*pending until the link is opened/);
    expect(await list(cwd)).toEqual([expect.objectContaining({ email: 'new@example.com', status: 'pending' })]);
    const [file] = outbox(cwd);
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file ?? '')));
    expect(mail.subject).toBe('Confirm your subscription to My Links');
    expect(mail.text).toMatch(/https:\/\/links\.example\.com\/confirm\?token=\S+/);
    expect(mail.html).toMatch(/href="https:\/\/links\.example\.com\/confirm\?token(=|&#x3D;)/); // Handlebars escapes =
    const again = await runCli(['subscribers', 'add', 'new@example.com'], { cwd });
    expect(again.stdout).toMatch(/within the last day: not sent again/);
    expect(outbox(cwd)).toHaveLength(1);
    expect((await runCli(['subscribers', 'add', 'yes@example.com', '--confirmed'], { cwd })).stdout).toMatch(
      /Added yes@example\.com \(active\)/,
    );
    expect((await list(cwd, '--status', 'active')).map((s) => s.email)).toEqual(['yes@example.com']);
    const bad = await runCli(['subscribers', 'list', '--status', 'gone'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status: "gone" is not one of active, pending/);
  });
});

describe('subscribers remove', () => {
  it('unsubscribes an active or pending address, and leaves a bounced or complained one as SES reported it', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    writeFileSync(
      path.join(cwd, 'people.csv'),
      'email,status\nact@example.com,active\npen@example.com,pending\nbou@example.com,bounced\ncom@example.com,complained\n',
    );
    expect((await runCli(['subscribers', 'import', 'people.csv'], { cwd })).code).toBe(0);
    const before = await list(cwd);
    const remove = (email: string) => runCli(['subscribers', 'remove', email], { cwd });
    for (const email of ['act@example.com', 'pen@example.com']) {
      const done = await remove(email);
      expect(done).toEqual({
        code: 0,
        stdout: `Removed ${email}: marked unsubscribed, so it is never mailed again.\n`,
        stderr: '',
      });
    }
    for (const [email, status] of [
      ['bou@example.com', 'bounced'],
      ['com@example.com', 'complained'],
    ] as const) {
      const done = await remove(email);
      expect(done).toEqual({ code: 0, stdout: `${email} is ${status} already: nothing changed.\n`, stderr: '' });
    }
    const again = await remove('act@example.com');
    expect(again.stdout).toBe('act@example.com is unsubscribed already: nothing changed.\n');
    const gone = await remove('nobody@example.com');
    expect({ code: gone.code, stdout: gone.stdout }).toEqual({
      code: 1,
      stdout: 'nobody@example.com is not on the list.\n',
    });

    const after = await list(cwd);
    expect(Object.fromEntries(after.map((s) => [s.email, s.status]))).toEqual({
      'act@example.com': 'unsubscribed',
      'pen@example.com': 'unsubscribed',
      'bou@example.com': 'bounced',
      'com@example.com': 'complained',
    });
    // A status SES set keeps its time too: `issues` counts a reader's leaving against the issue before it.
    const updated = (l: typeof before, email: string) =>
      (l as { email: string; updatedAt?: string }[]).find((s) => s.email === email)?.updatedAt;
    for (const email of ['bou@example.com', 'com@example.com'])
      expect(updated(after, email)).toBe(updated(before, email));
  });
});

describe('the mailto door', () => {
  it('is offered only when the config says replies are read, and `subscribers unsubscribe` takes the reply subject', async () => {
    const posts = [rawPost(1, 1)];
    const quiet = makeProject({ posts, subscribers: ['a@example.com,A'] });
    expect((await runCli(['send'], { cwd: quiet })).code).toBe(0);
    const plain = await simpleParser(readFileSync(path.join(quiet, 'outbox', outbox(quiet)[0] ?? '')));
    expect(String(plain.headers.get('list-unsubscribe') ?? '')).not.toContain('mailto:');

    const cwd = makeProject({
      posts,
      subscribers: ['a@example.com,A', 'b@example.com,B'],
      config: { replyTo: 'me@links.example.com', subscriptions: { mailtoUnsubscribe: true } },
    });
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    const file = outbox(cwd).find((f) => f.includes('a@example.com')) ?? '';
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file)));
    const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const mailto = /<mailto:me@links\.example\.com\?subject=([^>]+)>/.exec(header)?.[1] ?? '';
    expect(mailto).toMatch(/^unsubscribe%20/);
    // What arrives in the author's inbox: "Re: unsubscribe TOKEN"; pasted unquoted, as two words.
    const subject = decodeURIComponent(mailto).split(' ');
    const done = await runCli(['subscribers', 'unsubscribe', ...subject], { cwd });
    expect(done.stdout).toMatch(/Unsubscribed a@example\.com/);
    const byAddress = await runCli(['subscribers', 'unsubscribe', 'b@example.com'], { cwd });
    expect(byAddress.stdout).toMatch(/Unsubscribed b@example\.com/);
    expect((await list(cwd, '--status', 'unsubscribed')).map((s) => s.email).sort()).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
    const forged = await runCli(['subscribers', 'unsubscribe', 'AAAAAAAAAAAAAAAA.0.abcdef.AAAAAAAAAAAAAAAAAAAAAA'], {
      cwd,
    });
    expect(forged.code).toBe(2);
    expect(forged.stderr).toMatch(/not an unsubscribe token this list made/);
  });
});

describe('import and export', () => {
  it('imports a BOM, quoted fields and a status column, names bad rows by line, and round-trips through export', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    writeFileSync(
      path.join(cwd, 'people.csv'),
      '\uFEFFName,EMAIL,Status\r\n"Smith, ""Bo""",bo@example.com,active\r\n"Two\r\nLines",two@example.com,unsubscribed\r\n' +
        'X,broken,active\r\n=cmd(),formula@example.com,bounced\r\nY,y@example.com,gone\r\n-Dash,-dash@example.com,\r\n',
    );
    const imported = await runCli(['subscribers', 'import', 'people.csv'], { cwd });
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(
      /4 added \(2 to be mailed, 2 not mailed\), 0 already on the list, 2 invalid rows skipped/,
    );
    expect(imported.stderr).toMatch(/not mailed \(unsubscribed\): line 3\n.*not mailed \(bounced\): line 6/);
    expect(imported.stderr).toMatch(/line 5: "broken" is not an email address/);
    expect(imported.stderr).toMatch(/line 7: Status "gone" is not one of/);
    const before = await list(cwd);
    const exported = await runCli(['subscribers', 'export'], { cwd });
    expect(exported.stdout).toContain(`formula@example.com,"'=cmd()",bounced`);
    writeFileSync(path.join(cwd, 'back.csv'), exported.stdout);
    const again = await runCli(['subscribers', 'import', 'back.csv', '--state', 'fresh'], { cwd });
    expect(again.code).toBe(0);
    const after = await list(cwd, '--state', 'fresh');
    const shape = (l: typeof before) => l.map(({ email, name, status }) => ({ email, name, status }));
    expect(shape(after)).toEqual(shape(before));
    // The opt-in time survives the round trip (the import keeps created_at).
    expect(after.map((s) => s.createdAt)).toEqual(before.map((s) => s.createdAt));
    expect(shape(before)).toEqual([
      { email: 'bo@example.com', name: 'Smith, "Bo"', status: 'active' },
      { email: 'two@example.com', name: 'Two Lines', status: 'unsubscribed' },
      { email: 'formula@example.com', name: '=cmd()', status: 'bounced' },
      { email: '-dash@example.com', name: '-Dash', status: 'active' },
    ]);
  });

  it('recognizes a service export by its header, says so, and names every row left out or not mailed', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    const fixtures = path.resolve(__dirname, '../fixtures/imports');
    const first = await runCli(['subscribers', 'import', path.join(fixtures, 'mailchimp-subscribed.csv')], { cwd });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/mailchimp-subscribed\.csv: recognized as a Mailchimp export/);
    expect(first.stderr).toMatch(/skipped line 5: "not-an-address" is not an email address/);
    expect(first.stderr).toMatch(/skipped line 7: OPTIN_TIME "14\/03\/2019" is not a date and time/);
    expect(first.stdout).toMatch(
      /3 added \(3 to be mailed, 0 not mailed\), 0 already on the list, 2 invalid rows skipped/,
    );
    const kit = await runCli(['subscribers', 'import', path.join(fixtures, 'kit.csv')], { cwd });
    expect(kit.stderr).toMatch(/recognized as a Kit \(ConvertKit\) export/);
    expect(kit.stderr).toMatch(/not mailed \(inactive there, pending here\): line 3\n/);
    expect(kit.stderr).toMatch(/not mailed \(cancelled there, unsubscribed here\): line 4\n/);
    expect(kit.stdout).toMatch(/6 added \(2 to be mailed, 4 not mailed\)/);
    const people = await list(cwd);
    expect(people.find((p) => p.email === 'ada@example.com')).toMatchObject({
      name: 'Ada Lovelace, Countess',
      createdAt: '2019-03-14T18:23:45.000Z',
      source: 'Mailchimp export',
    });
    const exported = (await runCli(['subscribers', 'export'], { cwd })).stdout;
    expect(exported).toMatch(/^email,name,status,created_at,source,sections,frequency,paused_until\n/);
    expect(exported).toContain(
      'ada@example.com,"Ada Lovelace, Countess",active,2019-03-14T18:23:45.000Z,Mailchimp export',
    );
  }, 120_000);

  it.each([
    ['subscribed first', ['mailchimp-moving-subscribed.csv', 'mailchimp-moving-unsubscribed.csv']],
    ['unsubscribed first', ['mailchimp-moving-unsubscribed.csv', 'mailchimp-moving-subscribed.csv']],
  ])('never mails an address an export unsubscribed, %s; only --resubscribe brings it back', async (_order, files) => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    const fixtures = path.resolve(__dirname, '../fixtures/imports');
    const runs = [];
    for (const file of files) runs.push(await runCli(['subscribers', 'import', path.join(fixtures, file)], { cwd }));
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const statuses = Object.fromEntries((await list(cwd)).map((s) => [s.email.toLowerCase(), s.status]));
    expect(statuses).toEqual({
      'stay@example.com': 'active',
      'left@example.com': 'unsubscribed',
      'bounce@example.com': 'active',
    });
    const subscribedRun = runs[files.indexOf('mailchimp-moving-subscribed.csv')];
    expect(subscribedRun?.stderr).toMatch(/repeated line 5: stay@example\.com is on line 2 too: imported once/);
    expect(subscribedRun?.stdout).toMatch(/1 repeated rows imported once/);
    if (files[0] === 'mailchimp-moving-subscribed.csv') {
      expect(runs[1]?.stderr).toMatch(
        /line 2: Left@example\.com is active here but unsubscribed in the Mailchimp export: now unsubscribed, never mailed/,
      );
      expect(runs[1]?.stdout).toMatch(/1 on the list suppressed as the export says/);
    } else {
      expect(runs[1]?.stderr).toMatch(
        /line 3: left@example\.com is unsubscribed here: left unsubscribed \(only --resubscribe, with the reader's consent/,
      );
    }
    const back = await runCli(
      ['subscribers', 'import', path.join(fixtures, 'mailchimp-moving-subscribed.csv'), '--resubscribe'],
      {
        cwd,
      },
    );
    expect(back.stdout).toMatch(/1 resubscribed/);
    expect((await list(cwd)).find((s) => s.email.toLowerCase() === 'left@example.com')?.status).toBe('active');
    const help = await runCli(['subscribers', '--help'], { cwd });
    expect(help.stdout).toMatch(/--resubscribe[\s\S]*Only with each reader's consent/);
  });

  it('writes nothing when a quote never closes', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    writeFileSync(path.join(cwd, 'bad.csv'), 'email,name\nok@example.com,Ok\n"no@example.com,No\n');
    const result = await runCli(['subscribers', 'import', 'bad.csv'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.csv: line 3: a quoted field is never closed; nothing was imported/);
    expect(await list(cwd)).toEqual([]);
  });
});
