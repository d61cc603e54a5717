/// <reference lib="dom" />
/**
 * `preview --watch` in Chromium (tests/helpers/browser.ts), against the real CLI in a child process on a
 * throwaway project: the page shows the email at 375 and 1,024 px, light and dark, and the text part; an edit
 * of a template, of the config and of the bookmark file each shows up without a restart; a broken template
 * shows its file and line in the page while the server keeps running, and fixing it recovers. The page keeps
 * its strict CSP (no violation), fetches nothing from elsewhere, and Ctrl-C stops the server cleanly.
 * Screenshots: out/screenshots/preview-watch-*.png.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { DEFAULT_TEMPLATES_DIR } from '../../lambda/adapters/template-files';
import { MIN_REFRESH_MS, PreviewBuilder } from '../../lambda/preview/builder';
import { launchChromium } from '../helpers/browser';
import { SCREENSHOTS_DIR } from '../helpers/email-page';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type Served, startServe } from '../helpers/serve';
import { startStaticServer } from './servers/static-server';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (errors count as "not yet": the page may be reloading) until it returns true. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** `read()`'s value once it stops throwing: the page may be between two reloads when it is called. */
async function settled<T>(read: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

let cwd: string;
let watched: Served;
let browser: Browser;
let page: Page;
const foreign: string[] = [];
const violations: string[] = [];

const file = (name: string) => path.join(cwd, name);
const edit = (name: string, change: (text: string) => string) => {
  const before = readFileSync(file(name), 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(file(name), after);
};

/** The same process still answers: it was never restarted (it printed its address once). */
const stillServing = async () =>
  (await fetch(`${watched.url}/`)).status === 200 && watched.stdout().split('Live preview on').length === 2;

/** The frame of the email at `width`, in `scheme`. */
const frame = (device: 'phone' | 'desktop', scheme: 'light' | 'dark'): Frame => {
  const found = page.frames().find((f) => f.url().endsWith(`/${device}-${scheme}.html`));
  if (!found) throw new Error(`no ${device}-${scheme} frame`);
  return found;
};
const frameText = (device: 'phone' | 'desktop', scheme: 'light' | 'dark') =>
  settled(() => frame(device, scheme).evaluate(() => document.body.innerText));
const version = () => settled(() => page.evaluate(() => document.documentElement.dataset.version ?? ''));
/** The text of `selector` in the page, once the page is there to ask. */
const textOf = (selector: string) => settled(() => page.textContent(selector));

/**
 * The whole page at 1,280 px: the viewport made as tall as the page first, since Chromium does not paint
 * frames outside the viewport for a full-page screenshot.
 */
async function screenshot(name: string) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await sleep(300);
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, name) });
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  cwd = makeProject({
    posts: [rawPost(2, 1), rawPost(3, 2, { description: 'The second link', tags: 'web css' })],
    config: { templates: 'templates', intro: 'A handful of links, once a week.' },
  });
  cpSync(DEFAULT_TEMPLATES_DIR, file('templates'), { recursive: true });
  watched = await startServe(cwd, ['--port', '0'], {}, ['preview', '--watch']);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(watched.url)) foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await watched?.stop();
});

describe('preview --watch in Chromium', () => {
  it('shows the email at phone and desktop widths, light and dark, and the text part', async () => {
    await page.goto(`${watched.url}/`);
    await waitFor('the live connection', async () => (await textOf('#live'))?.startsWith('live') ?? false);
    // The server listens before its first build is done: the page shows it when it is.
    await waitFor('the first build', async () => (await textOf('#heading')) === 'Issue #1: My Links #1: 2 links');
    expect(await textOf('#summary')).toContain('2 links in 1 section, HTML');

    const widths: Record<string, number> = {};
    const cardBackgrounds: Record<string, string> = {};
    for (const device of ['phone', 'desktop'] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const f = frame(device, scheme);
        await f.waitForLoadState('load');
        widths[`${device}-${scheme}`] = await f.evaluate(() => window.innerWidth);
        expect(await frameText(device, scheme)).toContain('The second link');
        cardBackgrounds[`${device}-${scheme}`] = await f.evaluate(
          () => getComputedStyle(document.querySelector('.card') as Element).backgroundColor,
        );
      }
    }
    expect(widths).toEqual({ 'phone-light': 375, 'phone-dark': 375, 'desktop-light': 1024, 'desktop-dark': 1024 });
    // The email's own dark-mode rules apply in the dark frames only, whatever the scheme of the page around.
    expect(cardBackgrounds).toEqual({
      'phone-light': 'rgb(255, 255, 255)',
      'desktop-light': 'rgb(255, 255, 255)',
      'phone-dark': 'rgb(30, 30, 30)',
      'desktop-dark': 'rgb(30, 30, 30)',
    });
    // The frames run no script: the sandbox allows nothing.
    expect(await page.$$eval('iframe', (frames) => frames.map((f) => f.getAttribute('sandbox')))).toEqual([
      '',
      '',
      '',
      '',
    ]);

    const text = (await textOf('#text-part')) ?? '';
    expect(text).toContain('The second link');
    expect(text).toContain('https://example.com/2');
    await screenshot('preview-watch-1280-light.png');
  });

  it('an edited template shows without a restart', async () => {
    const before = await version();
    edit('templates/digest.mjml', (t) => t.replace('<h1>{{title}}</h1>', '<h1>{{title}}, edited live</h1>'));
    await waitFor('the edited heading', async () =>
      (await frameText('phone', 'light')).includes('My Links, edited live'),
    );
    expect(await version()).not.toBe(before);
    expect(await frameText('desktop', 'dark')).toContain('My Links, edited live');

    edit('templates/digest.txt.hbs', (t) => `Text part, edited live.\n${t}`);
    await waitFor('the edited text part', async () =>
      ((await textOf('#text-part')) ?? '').startsWith('Text part, edited live.'),
    );
    expect(await stillServing()).toBe(true);
  });

  it('a broken template shows its file and line in the page, the server keeps running, a fix recovers', async () => {
    const mjml = file('templates/digest.mjml');
    const lines = readFileSync(mjml, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('{{#if intro}}')) + 1;
    edit('templates/digest.mjml', (t) => t.replace('{{#if intro}}', '{{#if intro}'));
    await waitFor('the error', async () => (await page.$('#error')) !== null);
    expect(await textOf('#heading')).toBe('Build failed');
    expect(await textOf('#error-where')).toBe(`${mjml}:${line}`);
    expect(await textOf('#error-message')).toContain('Handlebars syntax error');
    expect(await textOf('.error pre.frame')).toContain(`> ${line} |`);
    // The last good build stays in view, marked as such.
    expect(await textOf('.stale')).toContain('Showing the last good build');
    expect(await frameText('phone', 'light')).toContain('My Links, edited live');
    await screenshot('preview-watch-1280-error.png');
    expect(watched.stderr()).toContain(`Template error: ${mjml}:${line}: Handlebars syntax error`);

    // An MJML mistake names its line too.
    edit('templates/digest.mjml', (t) =>
      t.replace('{{#if intro}', '{{#if intro}}').replace('<mj-column>', '<mj-column bogus="1">'),
    );
    const mjLine = lines.findIndex((l) => l.includes('<mj-column>')) + 1;
    await waitFor('the MJML error', async () => (await textOf('#error-where')) === `${mjml}:${mjLine}`);
    expect(await textOf('#error-message')).toContain('Attribute bogus is illegal');

    edit('templates/digest.mjml', (t) => t.replace('<mj-column bogus="1">', '<mj-column>'));
    await waitFor('the recovery', async () => (await page.$('#error')) === null);
    expect(await textOf('#heading')).toBe('Issue #1: My Links #1: 2 links');
    expect(await frameText('phone', 'dark')).toContain('A handful of links, once a week.');
    expect(await stillServing()).toBe(true);
  });

  it('a new bookmark in the bookmark file appears, and a config change too', async () => {
    const posts = JSON.parse(readFileSync(file('bookmarks.json'), 'utf8')) as unknown[];
    posts.push(rawPost(1, 3, { description: 'A brand new link', href: 'https://example.org/new' }));
    writeFileSync(file('bookmarks.json'), JSON.stringify(posts));
    await waitFor('the new link', async () => (await frameText('phone', 'light')).includes('A brand new link'));
    expect(await textOf('#heading')).toBe('Issue #1: My Links #1: 3 links');
    expect(await textOf('#text-part')).toContain('https://example.org/new');

    edit('digest.config.json', (t) => t.replace('"title":"My Links"', '"title":"Our Links"'));
    await waitFor('the new title', async () =>
      (await frameText('desktop', 'light')).includes('Our Links, edited live'),
    );

    // A config mistake is shown with its file and line, and fixing it recovers as well.
    edit('digest.config.json', (t) => t.replace('"title":"Our Links"', '"titel":"Our Links"'));
    await waitFor('the config error', async () => (await textOf('#error h2')) === 'Config error');
    expect(await textOf('#error-where')).toBe(`${file('digest.config.json')}:1`);
    expect(await textOf('#error-message')).toContain('unknown key "titel"');
    edit('digest.config.json', (t) => t.replace('"titel":"Our Links"', '"title":"Our Links"'));
    await waitFor('the recovery', async () => (await page.$('#error')) === null);
  });

  it('kept its strict CSP, fetched nothing from elsewhere, and never restarted', async () => {
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    expect(await stillServing()).toBe(true);
    const builds = watched.stdout().match(/^\[\d\d:\d\d:\d\d\] Issue #1: .* bytes \(\d+ ms\)$/gm) ?? [];
    expect(builds.length).toBeGreaterThanOrEqual(6);
  });

  it('answers only its own names, and takes a POST only from its own page', async () => {
    const port = new URL(watched.url).port;
    const ask = (headers: Record<string, string>, method = 'GET', route = '/') =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: route, method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.end();
      });
    expect(await ask({ Host: `127.0.0.1:${port}` })).toBe(200);
    expect(await ask({ Host: `localhost:${port}` })).toBe(200);
    expect(await ask({ Host: `evil.example:${port}` })).toBe(421);
    expect(await ask({ Host: `127.0.0.1:${port}`, Origin: 'https://evil.example' }, 'POST', '/refresh')).toBe(403);
    expect(await ask({ Host: `127.0.0.1:${port}`, Origin: watched.url }, 'POST', '/refresh')).toBe(303);
  });

  it('Ctrl-C stops it cleanly', async () => {
    expect(await watched.stop()).toBe(0);
    expect(watched.stderr()).toContain('Stopped.');
  });
});

describe('preview --watch with a network source', () => {
  it('rebuilds from the last answer; asks the feed again only on refresh, at most once a minute', async () => {
    const when = new Date(Date.now() - 3_600_000).toISOString();
    const rdf = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://pinboard.in"><title>Pinboard (me)</title><link>https://pinboard.in/u:me/</link><description/></channel>
<item rdf:about="https://feed.example/a"><title>From the feed</title><dc:date>${when}</dc:date><link>https://feed.example/a</link><description>Feed note</description><dc:subject>rss</dc:subject></item>
</rdf:RDF>`;
    const server = await startStaticServer(() => ({ status: 200, type: 'application/rss+xml', body: rdf }));
    const saved = process.env.PINBOARD_FEEDS_URL;
    process.env.PINBOARD_FEEDS_URL = server.url;
    try {
      const project = makeProject({ posts: [], config: { source: { type: 'pinboard-rss', user: 'me' } } });
      let now = new Date();
      const lines: string[] = [];
      const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), isTTY: false };
      const builder = new PreviewBuilder(
        { config: path.join(project, 'digest.config.json'), state: mkdtempSync(path.join(tmpdir(), 'pd-state-')) },
        output,
        () => now,
        project,
      );
      const first = await builder.build();
      expect(first.error).toBeUndefined();
      expect(first.line).toMatch(/^Issue #1: .* 1 link in 1 section/);
      expect(server.requests).toHaveLength(1);
      // A template or config edit: rebuilt from the answer already had.
      expect((await builder.build([path.join(DEFAULT_TEMPLATES_DIR, 'digest.mjml')])).line).toBe(first.line);
      expect((await builder.build([builder.configPath])).line).toBe(first.line);
      expect(server.requests).toHaveLength(1);
      expect(builder.targets().map((t) => t.label)).toEqual(['templates', 'config']);

      expect(builder.network()).toMatchObject({ canRefresh: false });
      expect(builder.refreshSources()).toBe(false);
      now = new Date(now.getTime() + MIN_REFRESH_MS);
      expect(builder.network()).toMatchObject({ canRefresh: true });
      expect(builder.refreshSources()).toBe(true);
      await builder.build();
      expect(server.requests).toHaveLength(2);
      expect(builder.refreshSources()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.PINBOARD_FEEDS_URL;
      else process.env.PINBOARD_FEEDS_URL = saved;
      await server.stop();
    }
  });
});

describe('the preview builder', () => {
  const quiet = { out: () => {}, err: () => {}, isTTY: false };
  /** A builder over a new project with these posts, its state in a folder of its own. */
  const builderFor = (posts: unknown[]) => {
    const project = makeProject({ posts });
    const state = mkdtempSync(path.join(tmpdir(), 'pd-state-'));
    const builder = new PreviewBuilder(
      { config: path.join(project, 'digest.config.json'), state },
      quiet,
      undefined,
      project,
    );
    return { project, builder };
  };

  it('follows the config: a new templates folder or bookmark file is what it watches next', async () => {
    const { project, builder } = builderFor([rawPost(2, 1)]);
    expect((await builder.build()).line).toMatch(/^Issue #1: .* 1 link in 1 section/);
    expect(builder.targets()).toEqual([
      { path: DEFAULT_TEMPLATES_DIR, kind: 'dir', label: 'templates' },
      { path: path.join(project, 'digest.config.json'), kind: 'file', label: 'config' },
      { path: path.join(project, 'bookmarks.json'), kind: 'file', label: 'bookmark file' },
    ]);

    cpSync(DEFAULT_TEMPLATES_DIR, path.join(project, 'tpl'), { recursive: true });
    writeFileSync(path.join(project, 'other.json'), JSON.stringify([rawPost(1, 7), rawPost(2, 8)]));
    const config = JSON.parse(readFileSync(path.join(project, 'digest.config.json'), 'utf8'));
    writeFileSync(
      path.join(project, 'digest.config.json'),
      JSON.stringify({ ...config, templates: 'tpl', source: { type: 'file', path: 'other.json' } }),
    );
    expect((await builder.build([builder.configPath])).line).toMatch(/^Issue #1: .* 2 links in 1 section/);
    expect(builder.targets().map((t) => t.path)).toEqual([
      path.join(project, 'tpl'),
      path.join(project, 'digest.config.json'),
      path.join(project, 'other.json'),
    ]);
  });

  it('says when there is nothing to preview, and a bookmark file that is not JSON is an error at its line', async () => {
    const { project, builder } = builderFor([]);
    const nothing = await builder.build();
    expect(nothing.outcome?.kind).toBe('nothing');
    expect(nothing.line).toMatch(/^Nothing to preview: /);

    writeFileSync(path.join(project, 'bookmarks.json'), '[\n  {"href": "https://a.example/",\n  "description": }\n]');
    const broken = await builder.build([path.join(project, 'bookmarks.json')]);
    expect(broken.error).toMatchObject({
      kind: 'Bookmark source error',
      file: path.join(project, 'bookmarks.json'),
      line: 3,
    });
  });
});
