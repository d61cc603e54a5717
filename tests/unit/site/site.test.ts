/**
 * The archive as files: pages, indexes and the three feeds written by the real renderer and the file
 * adapter, then read back (rss-parser for Atom and RSS, JSON Feed 1.1's fields), links followed, and the
 * hostile fixture checked for escaping, schemes and privacy.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import RssParser from 'rss-parser';

jest.mock('feed', () => require('../../helpers/node-require').nodeRequire('feed'));

import { FileSitePublisher } from '../../../lambda/adapters/site-files';
import { loadSiteTemplates } from '../../../lambda/adapters/site-templates';
import type { IssueRecord } from '../../../lambda/core/model';
import { noteHtml } from '../../../lambda/core/note';
import type { SiteBatches } from '../../../lambda/core/site';
import { publishIssue, rebuildSite, type SiteDeps } from '../../../lambda/jobs/publish-site';
import { buildSite } from '../../../lambda/render/site';
import { createSiteRenderer } from '../../../lambda/render/site-pages';
import { fixtureBookmarks } from '../../helpers/fixture-issues';
import { HOSTILE_MARKUP, HOSTILE_NOTE, withoutNoteBlocks } from '../../helpers/note';
import { sentIssue, shippedSiteRenderer, siteContext, storeWith } from '../../helpers/site-issues';

const HOSTILE = fixtureBookmarks('tests/fixtures/hostile/bookmarks.json');
const HOSTILE_SUBJECT = `Links <b>bold</b> & "quotes" ]]> <script>alert(1)</script>`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** A site over `records` in a temp folder, the publisher recording the order of its batches. */
async function siteOf(records: IssueRecord[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'site-'));
  const files = new FileSitePublisher(dir);
  const batches: string[][] = [];
  const publisher = {
    description: files.description,
    publish: (b: SiteBatches) => {
      batches.push(...b.map((batch) => batch.map((f) => f.path)));
      return files.publish(b);
    },
  };
  const store = await storeWith(records);
  const { context, renderer } = await shippedSiteRenderer();
  const deps: SiteDeps = { store, publisher, renderer, context };
  const read = (p: string) => readFile(path.join(dir, ...p.split('/')), 'utf8');
  return { dir, deps, batches, read, store };
}

const hrefs = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] as string);
/** `&#x3D;` and friends back to characters: what a browser reads in an attribute. */
const decodeHtml = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('the archive site', () => {
  const records = () => [
    sentIssue(1, HOSTILE.slice(0, 5)),
    sentIssue(2, HOSTILE.slice(5, 9)),
    { ...sentIssue(3, HOSTILE), model: { ...sentIssue(3, HOSTILE).model, subject: HOSTILE_SUBJECT } },
  ];

  it('writes a page per issue, both indexes, the stylesheet and three feeds; every index link is a page', async () => {
    const { dir, deps, read } = await siteOf(records());
    const result = await rebuildSite(deps);
    expect(result).toEqual({ issues: 3, files: 9, pages: [3, 2, 1] });
    expect(await filesUnder(dir)).toEqual([
      'index.html',
      'issues/1/index.html',
      'issues/2/index.html',
      'issues/3/index.html',
      'issues/atom.xml',
      'issues/feed.json',
      'issues/index.html',
      'issues/rss.xml',
      'site.css',
    ]);
    const written = new Set(await filesUnder(dir));
    for (const [page, base] of [
      ['issues/index.html', 'issues/'],
      ['index.html', ''],
      ['issues/2/index.html', 'issues/2/'],
    ] as const) {
      const local = hrefs(await read(page))
        .map(decodeHtml)
        .filter((h) => !/^https?:/.test(h));
      expect(local.length).toBeGreaterThan(0);
      for (const href of local) {
        const target = new URL(href, `https://site.test/${base}`).pathname.slice(1);
        const file = target === '' || target.endsWith('/') ? `${target}index.html` : target;
        expect({ page, href, exists: written.has(file) }).toEqual({ page, href, exists: true });
      }
    }
    const index = await read('issues/index.html');
    expect(hrefs(index).filter((h) => /^\d+\/$/.test(h))).toEqual(['3/', '2/', '1/']);
  });

  it('escapes every bookmark text, renders only http(s) links and leaves private bookmarks and tags out', async () => {
    const { dir, deps, read } = await siteOf(records());
    await rebuildSite(deps);
    const page = await read('issues/3/index.html');
    expect(page).toContain('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;');
    expect(page).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(page).toContain('{{constructor.constructor'); // shown as text, never run as a template
    expect(page).not.toMatch(/<script|<img|onerror=|javascript:/i);
    expect(page).toContain('href="https://hostile.example/script"');
    for (const file of await filesUnder(dir)) {
      const body = await read(file);
      expect({ file, private: body.match(/private\.example|#\.secret|t:\.secret|javascript:/i)?.[0] }).toEqual({
        file,
        private: undefined,
      });
    }
    // Every href and every src of every page is http(s) or a relative link.
    for (const file of (await filesUnder(dir)).filter((f) => f.endsWith('.html'))) {
      for (const link of [...(await read(file)).matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) =>
        decodeHtml(m[1] ?? ''),
      )) {
        expect(/^(https?:\/\/|\.\.?\/|[\w-]+(\/|\.css|\.xml|\.json|\/index\.html)?)/.test(link) ? 'ok' : link).toBe(
          'ok',
        );
      }
    }
  });

  it('pages load nothing but their own stylesheet: no script, no inline style, no remote font, a strict CSP', async () => {
    const { dir, deps, read } = await siteOf(records());
    await rebuildSite(deps);
    for (const file of (await filesUnder(dir)).filter((f) => f.endsWith('.html'))) {
      const html = await read(file);
      expect(html).not.toMatch(/<script|<style|\sstyle=|<iframe|<img|@import|fonts\.googleapis|\son\w+=/i);
      expect(html).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;self&#x27;;`,
      );
      const stylesheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
      expect(stylesheets).toHaveLength(1);
      expect(stylesheets[0]).toMatch(/^(\.\.\/)*site\.css$/);
    }
    const css = await read('site.css');
    expect(css).toContain('prefers-color-scheme: dark');
    expect(css).not.toMatch(/url\(|@import|@font-face/);
  });

  it('Atom and RSS parse back with each issue, its full content and escaped titles', async () => {
    const { deps, read } = await siteOf(records());
    await rebuildSite(deps);
    const parser = new RssParser();
    for (const file of ['issues/atom.xml', 'issues/rss.xml']) {
      const feed = await parser.parseString(await read(file));
      expect(feed.title).toBe('Test Digest');
      expect(feed.items.map((i) => i.link)).toEqual([
        'https://digest.example.com/issues/3/',
        'https://digest.example.com/issues/2/',
        'https://digest.example.com/issues/1/',
      ]);
      const [third, second] = feed.items;
      // The title is declared HTML (Atom type="html"; RSS readers treat it so): a reader shows the text as written.
      expect(decodeHtml(third?.title ?? '')).toBe(HOSTILE_SUBJECT);
      expect(third?.title).not.toContain('<');
      expect(second?.title).toBe('Test Digest #2: 4 links');
      const content = (file.endsWith('atom.xml') ? third?.content : third?.['content:encoded']) ?? '';
      expect(content).toContain('href="https://hostile.example/unicode"');
      expect(content).toContain('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;');
      expect(content).not.toMatch(/<script|<img|javascript:|private\.example/i);
      expect(new Date(third?.isoDate ?? '').toISOString()).toBe(records()[2]?.composedAt);
    }
  });

  it('JSON Feed 1.1: version, feed fields, and each item with id, url, title, content_html and date', async () => {
    const { deps, read } = await siteOf(records());
    await rebuildSite(deps);
    const feed = JSON.parse(await read('issues/feed.json'));
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Test Digest',
      home_page_url: 'https://digest.example.com/issues/',
      feed_url: 'https://digest.example.com/issues/feed.json',
      language: 'en',
      authors: [{ name: 'Test Digest', url: 'https://digest.example.com' }],
    });
    expect(feed.items).toHaveLength(3);
    for (const item of feed.items) {
      expect(Object.keys(item)).toEqual(
        expect.arrayContaining(['id', 'url', 'title', 'content_html', 'date_published', 'summary']),
      );
      expect(item.id).toBe(item.url);
      expect(Number.isNaN(Date.parse(item.date_published))).toBe(false);
    }
    expect(feed.items[0].title).toBe(HOSTILE_SUBJECT); // JSON titles are plain text
    expect(feed.items[0].content_html).toContain('&lt;script&gt;');
    expect(feed.items[0].content_html).not.toMatch(/<script/);
  });

  it('publishing an issue writes its page and its predecessor, then the indexes, then the feeds', async () => {
    const [one, two, three] = records() as [IssueRecord, IssueRecord, IssueRecord];
    const { deps, batches, read, store } = await siteOf([one, two]);
    await rebuildSite(deps);
    batches.length = 0;
    await store.createIssue({ ...three, status: 'composed' });
    await store.advanceIssue(3, 'composed', 'sending', three.composedAt);
    const result = await publishIssue(three, deps);
    expect(result.pages).toEqual([3, 2]);
    expect(batches).toEqual([
      ['issues/3/index.html', 'issues/2/index.html', 'site.css'],
      ['issues/index.html', 'index.html'],
      ['issues/atom.xml', 'issues/rss.xml', 'issues/feed.json'],
    ]);
    expect(await read('issues/2/index.html')).toContain('href="../3/" rel="next"');
    expect(await read('issues/3/index.html')).toContain('href="../2/" rel="prev"');
  });

  it('a preview is on the site without being stored; a composed issue nobody got is not', async () => {
    const [one, two] = records() as [IssueRecord, IssueRecord];
    const { deps, read } = await siteOf([one, { ...two, status: 'composed' }]);
    const preview = { ...sentIssue(2, HOSTILE.slice(0, 2)), status: 'composed' as const };
    await publishIssue(preview, deps);
    const index = await read('issues/index.html');
    expect(hrefs(index).filter((h) => /^\d+\/$/.test(h))).toEqual(['2/', '1/']);
    expect(await read('issues/2/index.html')).toContain('Test Digest #2: 2 links');
    const { deps: deps2, read: read2 } = await siteOf([one, { ...two, status: 'composed' }]);
    await rebuildSite(deps2);
    expect(hrefs(await read2('issues/index.html')).filter((h) => /^\d+\/$/.test(h))).toEqual(['1/']);
  });

  it('on AWS the root is the signup page, linking to the newest issue and the index, with its CSP as a meta tag', async () => {
    const { deps, read } = await siteOf(records());
    const { signupPage, STYLE_HASH } = await import('../../../lambda/render/subscription-pages');
    const rootPage = (links: { latestIssueUrl?: string; archiveUrl: string }) =>
      signupPage({ title: 'Test Digest', lang: 'en', ...links }, { static: true });
    await rebuildSite({ ...deps, context: { ...deps.context, rootPage } });
    const root = await read('index.html');
    expect(root).toContain('<form method="post" action="subscribe">');
    expect(root).toContain('href="https://digest.example.com/issues/3/">Read the latest issue</a>');
    expect(root).toContain('href="https://digest.example.com/issues/">all issues</a>');
    expect(decodeHtml(root)).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '${STYLE_HASH}'; form-action 'self'; base-uri 'none'">`,
    );
    expect(await read('issues/index.html')).toContain('<ul class="issues">');
  });
});

/** Each entry's content in the three feeds, newest first: Atom's content, RSS's content:encoded, JSON's content_html. */
async function entryContents(read: (file: string) => Promise<string>): Promise<Record<string, string[]>> {
  const parser = new RssParser();
  const atom = await parser.parseString(await read('issues/atom.xml'));
  const rss = await parser.parseString(await read('issues/rss.xml'));
  const json = JSON.parse(await read('issues/feed.json')) as { items: { content_html: string }[] };
  return {
    atom: atom.items.map((i) => i.content ?? ''),
    rss: rss.items.map((i) => i['content:encoded'] ?? ''),
    json: json.items.map((i) => i.content_html),
  };
}

describe('the note of the day on the site', () => {
  /** Issue 1 with the hostile note as the store keeps it, issue 2 without one. */
  const records = () => {
    const one = sentIssue(1, HOSTILE.slice(0, 3));
    return [{ ...one, model: { ...one.model, editorNote: HOSTILE_NOTE } }, sentIssue(2, HOSTILE.slice(3, 5))];
  };
  const NOTE_HTML = noteHtml(HOSTILE_NOTE);

  it('stands on the issue’s page after the intro and above the sections, escaped', async () => {
    const { deps, read } = await siteOf(records());
    await rebuildSite(deps);
    const page = await read('issues/1/index.html');
    const at = page.indexOf(`<div class="editor-note">${NOTE_HTML}</div>`);
    expect(at).toBeGreaterThan(page.indexOf('I find this stuff'));
    expect(at).toBeLessThan(page.indexOf('<section>'));
    expect(NOTE_HTML).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<a href="https://example.org/post?a=1&amp;b=%222%22">the post</a>');
    expect(page).not.toMatch(HOSTILE_MARKUP);
    expect(await read('issues/2/index.html')).not.toContain('editor-note');
  });

  it('opens the issue’s entry in every feed; an issue without one starts as before', async () => {
    const { deps, read } = await siteOf(records());
    await rebuildSite(deps);
    for (const [feed, [second, first]] of Object.entries(await entryContents(read))) {
      expect({ feed, starts: first?.startsWith(`${NOTE_HTML}\n<p>Issue #1 · `) }).toEqual({ feed, starts: true });
      expect(first).not.toMatch(HOSTILE_MARKUP);
      expect({ feed, second: second?.slice(0, 11) }).toEqual({ feed, second: '<p>Issue #2' });
    }
    const json = JSON.parse(await read('issues/feed.json'));
    expect(json.items[1].summary).toBe('Issue #1 · January 3, 2026 · 3 links'); // the summary stays one line
  });

  it('leaves no trace in an issue without one: the same site as the templates without their note blocks', async () => {
    const templates = await loadSiteTemplates();
    expect(templates.issue).toContain('{{#if editorNote}}');
    expect(templates.feedItem).toContain('{{#if editorNote}}');
    const context = siteContext();
    const before = createSiteRenderer(
      { ...templates, issue: withoutNoteBlocks(templates.issue), feedItem: withoutNoteBlocks(templates.feedItem) },
      context,
    );
    const now = createSiteRenderer(templates, context);
    const plain = [sentIssue(2, HOSTILE.slice(3, 5)), sentIssue(1, HOSTILE.slice(0, 3))];
    const entries = plain.map((r) => ({
      issue: r.issue,
      subject: r.model.subject,
      bookmarkCount: r.model.bookmarkCount,
      publishedAt: r.composedAt,
    }));
    expect(buildSite({ entries, records: plain }, now, context)).toEqual(
      buildSite({ entries, records: plain }, before, context),
    );
  });
});
