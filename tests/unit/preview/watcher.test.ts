import { mkdirSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changedSince, isEditorDebris, type Watching, watchTargets } from '../../../lambda/preview/watcher';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Saves the way many editors (and `sed -i`) do: a new file renamed over the old one. */
function saveByRename(file: string, content: string) {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.new`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}

describe('watchTargets', () => {
  let root: string;
  let watching: Watching | undefined;
  let flushes: string[][];
  /** Waits for the next flush after `act`, or fails after `ms`. */
  const next = async (act: () => void, ms = 3_000): Promise<string[]> => {
    const before = flushes.length;
    act();
    const deadline = Date.now() + ms;
    while (flushes.length === before) {
      if (Date.now() > deadline) throw new Error('no change reported');
      await sleep(10);
    }
    await sleep(120); // anything else of the same burst
    return flushes.slice(before).flat();
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'pd-watch-'));
    mkdirSync(path.join(root, 'templates/partials'), { recursive: true });
    writeFileSync(path.join(root, 'templates/digest.mjml'), 'a');
    writeFileSync(path.join(root, 'templates/partials/footer.hbs'), 'a');
    writeFileSync(path.join(root, 'digest.config.json'), '{}');
    writeFileSync(path.join(root, 'bookmarks.json'), '[]');
    flushes = [];
    watching = watchTargets(
      [
        { path: path.join(root, 'templates'), kind: 'dir', label: 'templates' },
        { path: path.join(root, 'digest.config.json'), kind: 'file', label: 'config' },
        { path: path.join(root, 'bookmarks.json'), kind: 'file', label: 'bookmark file' },
      ],
      (changed) => flushes.push(changed),
      { quietMs: 40 },
    );
  });
  afterEach(() => watching?.close());

  it('sees a template saved by rename, again and again (where a recursive watch on Node 20 goes blind)', async () => {
    const mjml = path.join(root, 'templates/digest.mjml');
    for (const content of ['b', 'c', 'd']) {
      expect(await next(() => saveByRename(mjml, content))).toContain(mjml);
    }
  });

  it('sees a file in a subfolder, and in a subfolder made after the watch began', async () => {
    const partial = path.join(root, 'templates/partials/footer.hbs');
    expect(await next(() => writeFileSync(partial, 'b'))).toContain(partial);
    const made = path.join(root, 'templates/more');
    expect(await next(() => mkdirSync(made))).toContain(made);
    const inside = path.join(made, 'x.hbs');
    expect(await next(() => writeFileSync(inside, 'x'))).toContain(inside);
  });

  it('reports the config and the bookmark file by their own paths, both in one folder, and nothing else there', async () => {
    const config = path.join(root, 'digest.config.json');
    const bookmarks = path.join(root, 'bookmarks.json');
    expect(await next(() => saveByRename(config, '{"a":1}'))).toEqual([config]);
    expect(await next(() => writeFileSync(bookmarks, '[1]'))).toEqual([bookmarks]);
    writeFileSync(path.join(root, 'notes.txt'), 'unrelated');
    await sleep(300);
    expect(flushes).toHaveLength(2);
  });

  it('a burst of saves is one call', async () => {
    const mjml = path.join(root, 'templates/digest.mjml');
    const text = path.join(root, 'templates/partials/footer.hbs');
    const changed = await next(() => {
      writeFileSync(mjml, 'x');
      writeFileSync(text, 'y');
      writeFileSync(mjml, 'z');
    });
    expect(flushes).toHaveLength(1);
    expect(new Set(changed)).toEqual(new Set([mjml, text]));
  });

  it('a folder that does not exist is reported, and the rest is still watched', async () => {
    watching?.close();
    const problems: string[] = [];
    watching = watchTargets(
      [
        { path: path.join(root, 'missing'), kind: 'dir', label: 'templates' },
        { path: path.join(root, 'bookmarks.json'), kind: 'file', label: 'bookmark file' },
      ],
      (changed) => flushes.push(changed),
      { quietMs: 40, onProblem: (p) => problems.push(p) },
    );
    expect(problems).toEqual([expect.stringMatching(/^cannot watch the templates .*missing: ENOENT/)]);
    expect(await next(() => writeFileSync(path.join(root, 'bookmarks.json'), '[2]'))).toEqual([
      path.join(root, 'bookmarks.json'),
    ]);
  });
});

describe('changedSince', () => {
  it('lists the files of the targets saved since a time, in subfolders too, nothing older, no debris', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pd-since-'));
    mkdirSync(path.join(root, 'templates/partials'), { recursive: true });
    const old = [path.join(root, 'templates/digest.mjml'), path.join(root, 'bookmarks.json')];
    for (const file of old) writeFileSync(file, 'old');
    const past = new Date(Date.now() - 60_000);
    for (const file of old) utimesSync(file, past, past);
    const since = Date.now() - 1_000;
    const fresh = path.join(root, 'templates/partials/footer.hbs');
    writeFileSync(fresh, 'new');
    writeFileSync(path.join(root, 'templates/.digest.mjml.swp'), 'swap');
    const targets = [
      { path: path.join(root, 'templates'), kind: 'dir' as const, label: 'templates' },
      { path: path.join(root, 'bookmarks.json'), kind: 'file' as const, label: 'bookmark file' },
      { path: path.join(root, 'missing.json'), kind: 'file' as const, label: 'config' },
    ];
    expect(changedSince(targets, since)).toEqual([fresh]);
    writeFileSync(path.join(root, 'bookmarks.json'), 'new');
    expect(changedSince(targets, since).sort()).toEqual([path.join(root, 'bookmarks.json'), fresh].sort());
  });
});

describe('isEditorDebris', () => {
  it('knows swap, backup and lock files from real templates', () => {
    for (const name of ['.digest.mjml.swp', 'digest.mjml~', '.#digest.mjml', '4913', '#digest.mjml#']) {
      expect(isEditorDebris(`/t/${name}`)).toBe(true);
    }
    for (const name of ['digest.mjml', 'digest.txt.hbs', 'subject.hbs'])
      expect(isEditorDebris(`/t/${name}`)).toBe(false);
  });
});
