/// <reference lib="dom" />
/**
 * The archive in Chromium (tests/helpers/browser.ts), served over HTTP from the folder `send` writes: the
 * index and an issue page (the hostile fixture: long URLs, words without spaces, markup in titles) at 375 and
 * 1,280 px, light and dark. No sideways scroll, readable contrast, nothing fetched from anywhere else, no
 * Content-Security-Policy violation, every issue on the index opens. Screenshots land in
 * out/screenshots/site-*.png for a person to look at.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { FileSitePublisher } from '../../lambda/adapters/site-files';
import { rebuildSite } from '../../lambda/jobs/publish-site';
import { signupPage } from '../../lambda/render/subscription-pages';
import { launchChromium } from '../helpers/browser';
import { measureTextContrast, SCREENSHOTS_DIR } from '../helpers/email-page';
import { fixtureBookmarks } from '../helpers/fixture-issues';
import { sentIssue, shippedSiteRenderer, storeWith } from '../helpers/site-issues';

jest.mock('feed', () => require('../helpers/node-require').nodeRequire('feed'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.xml': 'application/xml',
  '.json': 'application/json',
};

/** Serves `root` as CloudFront does: `/x/` → `/x/index.html`, 404 for anything missing. */
async function serveFolder(root: string) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = path.join(
      root,
      ...decodeURIComponent(url.pathname).split('/'),
      url.pathname.endsWith('/') ? 'index.html' : '',
    );
    try {
      if (!file.startsWith(root)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let browser: Browser;
let site: Awaited<ReturnType<typeof serveFolder>>;
/** The same archive as the bucket holds it on AWS: the signup page at the root. */
let aws: Awaited<ReturnType<typeof serveFolder>>;

beforeAll(async () => {
  const hostile = fixtureBookmarks('tests/fixtures/hostile/bookmarks.json');
  const sample = fixtureBookmarks('examples/bookmarks.json');
  const dir = mkdtempSync(path.join(tmpdir(), 'site-browser-'));
  const { context, renderer } = await shippedSiteRenderer();
  await rebuildSite({
    store: await storeWith([sentIssue(1, sample.slice(0, 12)), sentIssue(2, sample.slice(12)), sentIssue(3, hostile)]),
    publisher: new FileSitePublisher(dir),
    renderer,
    context,
  });
  site = await serveFolder(dir);
  const awsDir = mkdtempSync(path.join(tmpdir(), 'site-browser-aws-'));
  await rebuildSite({
    store: await storeWith([sentIssue(1, sample.slice(0, 12))]),
    publisher: new FileSitePublisher(awsDir),
    renderer,
    context: {
      ...context,
      rootPage: (links) =>
        signupPage({ title: context.title, intro: context.intro, lang: 'en', ...links }, { static: true }),
    },
  });
  aws = await serveFolder(awsDir);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
  await aws?.stop();
});

const PAGES = [
  ['index', '/issues/'],
  ['issue', '/issues/3/'],
] as const;

describe('the archive in Chromium', () => {
  for (const [name, pagePath] of PAGES) {
    for (const width of [375, 1280]) {
      for (const scheme of ['light', 'dark'] as const) {
        it(`${name} at ${width} px, ${scheme}: no sideways scroll, readable, nothing fetched elsewhere, no CSP violation`, async () => {
          const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
          const page = await context.newPage();
          const foreign: string[] = [];
          const violations: string[] = [];
          page.on('request', (r) => {
            if (!r.url().startsWith(site.url)) foreign.push(r.url());
          });
          page.on('console', (m) => {
            if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
          });
          await page.route(
            (url) => !url.href.startsWith(site.url),
            (route) => route.abort(),
          );
          const answer = await page.goto(`${site.url}${pagePath}`, { waitUntil: 'load' });
          expect(answer?.status()).toBe(200);
          const facts = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            background: getComputedStyle(document.body).backgroundColor,
            styled: getComputedStyle(document.querySelector('h1') as Element).fontWeight,
          }));
          expect(facts.scrollWidth).toBeLessThanOrEqual(width);
          // The stylesheet loaded (under the CSP) and follows the scheme.
          expect(facts.background).toBe(scheme === 'dark' ? 'rgb(18, 18, 18)' : 'rgb(243, 243, 243)');
          const low = (await page.evaluate(measureTextContrast)).filter((t) => t.ratio < 4.5);
          expect(low).toEqual([]);
          expect(foreign).toEqual([]);
          expect(violations).toEqual([]);
          await page.screenshot({
            path: path.join(SCREENSHOTS_DIR, `site-${name}-${width}-${scheme}.png`),
            fullPage: name === 'index' || width === 1280,
          });
          await context.close();
        }, 60_000);
      }
    }
  }

  it('every issue on the index opens its page, and each page leads back to the index', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${site.url}/issues/`);
    const links = await page.$$eval('ul.issues a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toEqual([3, 2, 1].map((n) => `${site.url}/issues/${n}/`));
    for (const link of links) {
      const answer = await page.goto(link);
      expect(answer?.status()).toBe(200);
      await page.click('text=all issues');
      expect(page.url()).toBe(`${site.url}/issues/`);
    }
    await context.close();
  }, 60_000);

  for (const scheme of ['light', 'dark'] as const) {
    it(`the AWS root, the signup page as a static file, at 375 px ${scheme}: its style allowed by the meta CSP`, async () => {
      const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${aws.url}/`);
      const facts = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        background: getComputedStyle(document.body).backgroundColor,
        latest: (document.querySelector('a[href$="/issues/1/"]') as HTMLAnchorElement | null)?.textContent,
      }));
      expect(violations).toEqual([]);
      expect(facts.background).toBe(scheme === 'dark' ? 'rgb(18, 18, 18)' : 'rgb(243, 243, 243)');
      expect(facts.scrollWidth).toBeLessThanOrEqual(375);
      expect(facts.latest).toBe('Read the latest issue');
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `site-root-signup-375-${scheme}.png`), fullPage: true });
      await context.close();
    }, 60_000);
  }
});
