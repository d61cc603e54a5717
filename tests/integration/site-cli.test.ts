/**
 * The archive from the real CLI: `send` writes it to out/site/ with the issue it sends; `site` writes the
 * same archive again from the store alone, byte for byte; an email's "View in your browser" link names the
 * page that was written. A private bookmark is in the source and nowhere in the archive.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';

const tree = (dir: string) =>
  new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        return [path.relative(dir, file), readFileSync(file, 'utf8')] as const;
      }),
  );

describe('pinboard-digest send and site', () => {
  it('send writes the archive; site rebuilds it identically from the store; mail links to the page', async () => {
    const cwd = makeProject({
      posts: [
        rawPost(5, 1),
        rawPost(4, 2, { description: 'Tom & <Jerry>' }),
        rawPost(3, 3, { href: 'https://private.example/diary', shared: 'no' }),
      ],
    });
    const sent = await runCli(['send'], { cwd });
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/site: issue #1 published \(7 files, 1 issues\)/);
    const site = path.join(cwd, 'out', 'site');
    const written = tree(site);
    expect([...written.keys()].sort()).toEqual([
      'index.html',
      'issues/1/index.html',
      'issues/atom.xml',
      'issues/feed.json',
      'issues/index.html',
      'issues/rss.xml',
      'site.css',
    ]);
    const page = written.get('issues/1/index.html') ?? '';
    expect(page).toContain('Tom &amp; &lt;Jerry&gt;');
    for (const [file, body] of written)
      expect({ file, leaked: body.includes('private.example') }).toEqual({ file, leaked: false });

    const mail = readFileSync(
      path.join(cwd, 'outbox', readdirSync(path.join(cwd, 'outbox')).filter((f) => f.endsWith('.eml'))[0] as string),
      'utf8',
    );
    expect(mail).toContain('View in your browser: https://links.example.com/issues/1/');

    rmSync(site, { recursive: true });
    const rebuilt = await runCli(['site'], { cwd });
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/Archive rebuilt in .*out\/site: 1 issue page/);
    expect(tree(site)).toEqual(written);
  }, 60_000);
});
