/**
 * The monthly round-up through the CLI's own `send` on the file store and the outbox: a reader who chose the
 * monthly round-up after the first issue gets, across four weekly issues, one message (with the first issue
 * of December) holding every link of those four once; a weekly reader gets each issue; `issues show` says who
 * got what. The sends run in this process with their date given (`sendCommand`'s `now`, as `review` passes it),
 * since four Wednesdays cannot pass in a test; the choices are set through the built CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { sendCommand } from '../../lambda/cli/commands/send';
import { runCli } from '../helpers/cli';
import { makeProject } from '../helpers/project';

jest.mock('feed', () => require('../helpers/node-require').nodeRequire('feed'));

const DATES = ['2026-11-04', '2026-11-11', '2026-11-18', '2026-11-25', '2026-12-02'].map((d) => `${d}T08:00:00.000Z`);
const posts = DATES.flatMap((at, i) => {
  const time = `${new Date(Date.parse(at) - 3_600_000).toISOString().slice(0, 19)}Z`;
  const n = i + 1;
  const post = (kind: string, tag: string) => ({
    href: `https://example.com/${kind}${n}`,
    description: `${tag} ${n}`,
    extended: '',
    time,
    shared: 'yes',
    toread: 'no',
    tags: tag,
  });
  return [post('s', 'science'), post('w', 'web')];
});

const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd });
const linksOf = (html: string) =>
  [...html.matchAll(/href="https:\/\/example\.com\/([sw]\d)"/g)].map((m) => m[1] as string).sort();

describe('the monthly round-up from the CLI', () => {
  it('a monthly reader across four weekly issues: one message, every link once; issues show counts them', async () => {
    const cwd = makeProject({
      posts,
      // Seeded by the first send, so they joined on its date.
      subscribers: ['weekly@example.com,Weekly', 'monthly@example.com,Monthly'],
      config: {
        sections: [
          { title: 'Science', tags: ['science'] },
          { title: 'Web', tags: ['web'] },
        ],
        schedule: { cron: '0 8 ? * WED *', timezone: 'Europe/London' },
      },
    });
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), isTTY: false };
    const send = (n: number) =>
      sendCommand({ config: path.join(cwd, 'digest.config.json'), now: new Date(DATES[n - 1] as string) }, output);
    const here = process.cwd();
    process.chdir(cwd);
    try {
      expect(await send(1)).toBe(0);
      const chose = await cli(cwd, 'subscribers', 'prefs', 'monthly@example.com', '--frequency', 'monthly');
      expect(chose.stdout).toMatch(/pace: a monthly round-up/);
      for (const n of [2, 3, 4, 5]) expect(await send(n)).toBe(0);
    } finally {
      process.chdir(here);
    }
    expect(lines.join('\n')).toMatch(/Issue #5 .* delivered/);

    const outbox = readdirSync(path.join(cwd, 'outbox')).sort();
    const to = (address: string) => outbox.filter((f) => f.endsWith(`-${address}.eml`));
    expect(to('weekly@example.com')).toHaveLength(5);
    expect(to('monthly@example.com')).toEqual([
      'issue-0001-monthly@example.com.eml',
      'issue-0005-monthly@example.com.eml',
    ]);
    const roundup = await simpleParser(readFileSync(path.join(cwd, 'outbox', 'issue-0005-monthly@example.com.eml')));
    expect(roundup.subject).toBe('My Links round-up #2–#5: 8 links');
    expect(String(roundup.html)).toContain('Round-up of issues #2–#5');
    const links = linksOf(String(roundup.html));
    expect(links).toEqual(['s2', 's3', 's4', 's5', 'w2', 'w3', 'w4', 'w5']);
    expect(roundup.text).toContain('Round-up of issues #2–#5');
    // The weekly reader's #5 is the issue itself.
    const weekly = await simpleParser(readFileSync(path.join(cwd, 'outbox', 'issue-0005-weekly@example.com.eml')));
    expect(weekly.subject).toBe('My Links #5: 2 links');
    expect(linksOf(String(weekly.html))).toEqual(['s5', 'w5']);

    const third = await cli(cwd, 'issues', 'show', '3');
    expect(third.stdout).toMatch(/sent 1, refused 0, unfinished 0, nothing by their choice 1/);
    expect(third.stdout).toMatch(/readers got:\n\s+1 {2}the whole issue\n\s+1 {2}monthly, waiting for their round-up/);
    const fifth = await cli(cwd, 'issues', 'show', '5');
    expect(fifth.stdout).toMatch(/sent 2, refused 0, unfinished 0;/);
    expect(fifth.stdout).toMatch(/1 {2}a round-up of #2–#5 \(Science, Web\)/);
    // The archive keeps the whole issue.
    const page = readFileSync(path.join(cwd, 'out', 'site', 'issues', '5', 'index.html'), 'utf8');
    expect(page).toContain('https://example.com/s5');
    expect(page).not.toContain('https://example.com/s4');
  });
});
