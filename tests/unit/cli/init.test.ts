import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Ask } from '../../../lambda/cli/ask';
import { initCommand } from '../../../lambda/cli/commands/init';
import { defaultFrom, parseSourceFlag } from '../../../lambda/cli/init-files';
import type { Output } from '../../../lambda/cli/output';
import { loadConfig } from '../../../lambda/config';

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTTY: false };
}

describe('init --source', () => {
  const dir = '/home/me/digest';
  const cwd = '/home/me';
  it.each([
    ['sample', { type: 'file', path: 'sample-bookmarks.json', user: 'examplecurator' }],
    ['pinboard-api:maciej', { type: 'pinboard-api', user: 'maciej' }],
    ['api:maciej', { type: 'pinboard-api', user: 'maciej' }],
    ['rss:maciej', { type: 'pinboard-rss', user: 'maciej' }],
    ['pinboard-rss:maciej/digest', { type: 'pinboard-rss', user: 'maciej', tag: 'digest' }],
    ['https://links.example.com/feeds/KEY/all', { type: 'feed', url: 'https://links.example.com/feeds/KEY/all' }],
    ['exports/pinboard.json', { type: 'file', path: '../exports/pinboard.json' }],
    ['file:/data/pinboard.json', { type: 'file', path: '/data/pinboard.json' }],
    ['digest/pinboard.json', { type: 'file', path: 'pinboard.json' }],
  ])('%s', (flag, expected) => {
    expect(parseSourceFlag(flag, dir, cwd).config).toEqual(expected);
  });

  it.each([
    ['rss:', /does not name a Pinboard user/],
    ['api:me/tag', /takes no tag/],
    ['rss:a/b/c', /does not name a Pinboard user/],
    ['ftp://x.example/', /must be an http\(s\) URL/],
    ['file:', /needs a path/],
  ])('refuses %s', (flag, message) => {
    expect(() => parseSourceFlag(flag, dir, cwd)).toThrow(message);
  });
});

describe('init on a terminal', () => {
  it('asks for what the flags leave out, offers defaults, and asks again after a bad answer', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pd-init-ask-'));
    const asked: string[] = [];
    const answers = ['My Links', 'rss:me/digest', 'http://not-local.example', 'https://links.me.example', ''];
    const ask: Ask = async (question, def) => {
      asked.push(`${question} [${def}]`);
      return answers.shift() || def;
    };
    const output = capture();
    try {
      const code = await initCommand({ dir: 'd' }, output, { cwd: root, ask });
      expect(code).toBe(0);
      expect(asked).toEqual([
        'Title of the digest [Links I Found]',
        'Source: sample, pinboard-api:USER, rss:USER, a feed URL or an export file [sample]',
        'Site URL (the base of unsubscribe links) [http://127.0.0.1:8080]',
        'Site URL (the base of unsubscribe links) [http://127.0.0.1:8080]',
        'Sender (From) [My Links <digest@links.me.example>]',
      ]);
      expect(output.errors.join('\n')).toMatch(/"http:\/\/not-local.example" must be https/);
      const { config } = loadConfig(path.join(root, 'd/digest.config.json'));
      expect(config).toMatchObject({
        title: 'My Links',
        siteUrl: 'https://links.me.example',
        from: 'My Links <digest@links.me.example>',
        source: { type: 'pinboard-rss', user: 'me', tag: 'digest' },
        select: { firstIssueDays: 7 },
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('asks nothing a flag answered', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pd-init-ask-'));
    const asked: string[] = [];
    const ask: Ask = async (q, def) => {
      asked.push(q);
      return def;
    };
    try {
      const flags = { title: 'T', source: 'sample', siteUrl: 'https://t.example', from: 'T <t@t.example>' };
      expect(await initCommand(flags, capture(), { cwd: root, ask })).toBe(0);
      expect(asked).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('defaultFrom', () => {
  it('takes the site host, never a loopback one, and quotes a display name with specials', () => {
    expect(defaultFrom('Links', 'https://links.example.org/x')).toBe('Links <digest@links.example.org>');
    expect(defaultFrom('Links', 'http://127.0.0.1:8080')).toBe('Links <digest@example.com>');
    expect(defaultFrom('Links, etc.', 'https://a.example')).toBe('"Links, etc." <digest@a.example>');
  });
});
