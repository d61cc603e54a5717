/**
 * `init` as a new author runs it: the real CLI in a child process (stdin not a terminal, so it asks nothing), in
 * a fresh temporary folder; then `preview` in the new folder reads what init wrote.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lambda/config';
import { runCli } from '../helpers/cli';

const dirs: string[] = [];
function fresh(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-init-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const read = (...parts: string[]) => readFileSync(path.join(...parts), 'utf8');

describe('pinboard-digest init', () => {
  it('writes a commented config, the templates and .env.example without asking; preview then works there', async () => {
    const root = fresh();
    const made = await runCli(
      ['init', 'my-digest', '--title', 'Weekly Finds', '--from', 'Finds <finds@finds.example>'],
      {
        cwd: root,
      },
    );
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const dir = path.join(root, 'my-digest');
    expect(made.stdout).toContain(`Wrote a new digest in ${dir}`);
    expect(made.stdout).toMatch(/doctor[\s\S]*preview[\s\S]*send --to/);

    const text = read(dir, 'digest.config.json');
    expect(text).toMatch(/^\/\/ pinboard-digest config/);
    expect(text.split('\n').filter((l) => l.trim().startsWith('//')).length).toBeGreaterThan(15);
    const { config } = loadConfig(path.join(dir, 'digest.config.json'));
    expect(config).toMatchObject({
      title: 'Weekly Finds',
      from: 'Finds <finds@finds.example>',
      siteUrl: 'http://127.0.0.1:8080',
      templates: 'templates',
      source: { type: 'file', path: 'sample-bookmarks.json' },
      transport: { type: 'outbox', dir: 'outbox' },
    });
    for (const name of ['digest.mjml', 'digest.txt.hbs', 'subject.hbs', 'preheader.hbs', 'confirm.mjml']) {
      expect(read(dir, 'templates', name)).toBe(read(__dirname, '../../templates', name));
    }
    const env = read(dir, '.env.example');
    expect(env).toMatch(/^PINBOARD_TOKEN=$/m);
    expect(env).toMatch(/^DIGEST_SIGNING_SECRET=$/m);

    // The config points at the copy: an edit to it shows in the preview.
    writeFileSync(path.join(dir, 'templates/subject.hbs'), 'EDITED {{title}} #{{issue}}');
    const preview = await runCli(['preview'], { cwd: dir });
    expect(preview.code).toBe(0);
    expect(preview.stderr).toContain(`config: ${path.join(dir, 'digest.config.json')}`);
    const model = JSON.parse(read(dir, 'out/digest.json'));
    expect(model.subject).toBe('EDITED Weekly Finds #1');
    expect(model.bookmarkCount).toBeGreaterThan(10);
    expect(read(dir, 'out/digest.html')).toContain('Watching bird migration on weather radar');
  }, 60_000);

  it('walks the README\'s "First digest in ten minutes": init, doctor, preview, send --to', async () => {
    const root = fresh();
    expect((await runCli(['init', 'my-digest', '--title', 'Links I Found'], { cwd: root })).code).toBe(0);
    const dir = path.join(root, 'my-digest');

    // Nothing fails; the local site is only a note (⚠) while serve is not running.
    const doctor = await runCli(['doctor'], { cwd: dir });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/^✔ Config: /m);
    expect(doctor.stdout).toMatch(/^✔ Templates: .*my-digest\/templates compiles/m);
    // (✔ if something answers on 8080 as serve would; the walk-through's point is that nothing fails)
    expect(doctor.stdout).toMatch(/^(⚠|✔) Site: http:\/\/127.0.0.1:8080/m);
    expect(doctor.stdout).toMatch(/0 failed, 3 not applicable: ready\.$/m);

    expect((await runCli(['preview'], { cwd: dir })).code).toBe(0);
    const sent = await runCli(['send', '--to', 'you@example.com'], { cwd: dir });
    expect(sent.code).toBe(0);
    const [eml, ...more] = readdirSync(path.join(dir, 'outbox'));
    expect(more).toEqual([]);
    expect(read(dir, 'outbox', eml ?? '')).toMatch(/^Subject: \[TEST\] Links I Found #1: \d+ links/m);
    expect(read(dir, 'outbox', eml ?? '')).toMatch(/^To: you@example.com/m);
  }, 60_000);

  it('takes a Pinboard export as the source, written relative to the config', async () => {
    const root = fresh();
    writeFileSync(
      path.join(root, 'export.json'),
      JSON.stringify([
        {
          href: 'https://init.example/one',
          description: 'The one link of this export',
          extended: '',
          time: new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
          shared: 'yes',
          toread: 'no',
          tags: 'testing',
        },
      ]),
    );
    const made = await runCli(['init', 'digest', '--source', 'export.json'], { cwd: root });
    expect(made.code).toBe(0);
    const dir = path.join(root, 'digest');
    expect(loadConfig(path.join(dir, 'digest.config.json')).config.source).toEqual({
      type: 'file',
      path: '../export.json',
    });
    expect(() => statSync(path.join(dir, 'sample-bookmarks.json'))).toThrow();
    const preview = await runCli(['preview'], { cwd: dir });
    expect(preview.code).toBe(0);
    expect(JSON.parse(read(dir, 'out/digest.json')).sections[0].bookmarks[0].title).toBe('The one link of this export');
  }, 60_000);

  it('never overwrites without --force, names the file and writes nothing; --force replaces', async () => {
    const dir = fresh();
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    writeFileSync(path.join(dir, 'digest.config.json'), '// mine\n{}');
    rmSync(path.join(dir, '.env.example'));

    const again = await runCli(['init', '--title', 'Other'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(path.join(dir, 'digest.config.json'));
    expect(again.stderr).toContain(path.join(dir, 'templates/digest.mjml'));
    expect(again.stderr).toContain('--force');
    expect(again.stderr).not.toContain(path.join(dir, '.env.example'));
    expect(read(dir, 'digest.config.json')).toBe('// mine\n{}');
    expect(() => statSync(path.join(dir, '.env.example'))).toThrow(); // nothing at all was written

    const forced = await runCli(['init', '--title', 'Other', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(loadConfig(path.join(dir, 'digest.config.json')).config.title).toBe('Other');
    expect(statSync(path.join(dir, '.env.example')).isFile()).toBe(true);
  }, 60_000);

  it('refuses what the config loader would refuse, before writing anything', async () => {
    const dir = fresh();
    const bad = await runCli(['init', '--site-url', 'http://links.example.com'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--site-url: "http://links.example.com" must be https');
    const badSource = await runCli(['init', '--source', 'ftp://x.example/feed'], { cwd: dir });
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain('a feed must be an http(s) URL');
    expect(() => statSync(path.join(dir, 'digest.config.json'))).toThrow();
  }, 60_000);
});

describe('init at a terminal', () => {
  it('stops at Ctrl-C as Interrupted (main prints one line and exits 130, no stack trace), before writing anything', async () => {
    const { initCommand } = await import('../../lambda/cli/commands/init');
    const { questionsOn } = await import('../../lambda/cli/ask');
    const { Interrupted } = await import('../../lambda/cli/command');
    const { PassThrough } = await import('node:stream');
    const input = new PassThrough();
    const shown = new PassThrough();
    shown.resume();
    const questions = questionsOn(input, shown);
    const asked = questions.ask('Title of the digest', 'Links I Found');
    input.write('\x03'); // Ctrl-C, as a terminal in raw mode sends it
    await expect(asked).rejects.toBeInstanceOf(Interrupted);
    questions.close();

    // Every question comes before the first write.
    const root = fresh();
    const lines: string[] = [];
    const output = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l), isTTY: true };
    const ask = () => Promise.reject(new Interrupted('stopped (Ctrl-C); nothing was written.'));
    await expect(initCommand({ dir: path.join(root, 'd') }, output, { cwd: root, ask })).rejects.toBeInstanceOf(
      Interrupted,
    );
    expect(readdirSync(root)).toEqual([]);
  });
});
