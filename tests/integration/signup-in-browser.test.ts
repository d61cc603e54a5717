/// <reference lib="dom" />
/**
 * A reader joins and leaves in Chromium (tests/helpers/browser.ts), against the real `serve`, with JavaScript
 * off (the pages have none): fills the form, opens the confirmation from the outbox, follows its link, is
 * active, gets an issue, and unsubscribes through the page. Every page is also checked at 375 px, light and
 * dark: no sideways scroll, 44 px tap targets, readable contrast, no request leaves the server, no CSP
 * violation. Screenshots land in out/screenshots/signup-*.png for a person to look at.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openHtml } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { SCREENSHOTS_DIR } from '../helpers/email-page';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { freePort, type Served, startServe } from '../helpers/serve';

let browser: Browser;
let served: Served;
let cwd: string;

beforeAll(async () => {
  const port = await freePort();
  cwd = makeProject({
    posts: [rawPost(2, 1)],
    subscribers: [],
    config: {
      siteUrl: `http://127.0.0.1:${port}`,
      intro: 'I find this stuff so that you don’t have to: a handful of links, once a week.',
    },
  });
  served = await startServe(cwd);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const status = async (email: string) => {
  const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd })).stdout) as {
    email: string;
    status: string;
  }[];
  return list.find((s) => s.email === email)?.status;
};

interface Visit {
  context: BrowserContext;
  page: Page;
  /** Requests to anywhere but the server. */
  foreign: string[];
  /** Console messages about the Content-Security-Policy. */
  violations: string[];
}

async function visit(colorScheme: 'light' | 'dark'): Promise<Visit> {
  const context = await browser.newContext({
    viewport: { width: 375, height: 740 },
    colorScheme,
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  const foreign: string[] = [];
  const violations: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(served.url)) foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  return { context, page, foreign, violations };
}

/** What a phone-width reader depends on, measured in the page. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r = 0, g = 0, b = 0] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string) => {
      const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m) as [number, number];
      return (x + 0.05) / (y + 0.05);
    };
    const card = document.querySelector('.card') as HTMLElement;
    const cardBg = getComputedStyle(card).backgroundColor;
    const texts = [...card.querySelectorAll('h1, p, label, a')].filter((e) => e.getBoundingClientRect().width > 0);
    const targets = [...document.querySelectorAll('button, input[type=email], a')].filter(
      (e) => e.getBoundingClientRect().width > 0 && !e.closest('.hp'),
    );
    const button = document.querySelector('button');
    return {
      scrollWidth: document.documentElement.scrollWidth,
      pageBackground: getComputedStyle(document.body).backgroundColor,
      cardBackground: cardBg,
      minTextContrast: Math.min(...texts.map((e) => contrast(getComputedStyle(e).color, cardBg))),
      buttonContrast: button ? contrast(getComputedStyle(button).color, getComputedStyle(button).backgroundColor) : 99,
      smallestTarget: Math.min(...targets.map((e) => e.getBoundingClientRect().height)),
      honeypotVisible: [...document.querySelectorAll('.hp')].some((e) => {
        const r = e.getBoundingClientRect();
        return r.right > 0 && r.width > 1;
      }),
    };
  });
}

async function checkAndShoot(v: Visit, name: string, scheme: 'light' | 'dark') {
  const facts = await layout(v.page);
  expect(facts.scrollWidth).toBeLessThanOrEqual(375);
  expect(facts.minTextContrast).toBeGreaterThanOrEqual(4.5);
  expect(facts.buttonContrast).toBeGreaterThanOrEqual(4.5);
  expect(facts.smallestTarget).toBeGreaterThanOrEqual(44);
  expect(facts.honeypotVisible).toBe(false);
  const dark = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).every((n) => Number(n) < 60);
  expect(dark(facts.cardBackground)).toBe(scheme === 'dark');
  await v.page.screenshot({ path: path.join(SCREENSHOTS_DIR, `signup-${name}-375-${scheme}.png`), fullPage: true });
}

describe.each(['light', 'dark'] as const)('a reader at 375 px, %s', (scheme) => {
  it('signs up with the form, confirms from the email, gets an issue and unsubscribes through the page', async () => {
    const email = `reader-${scheme}@example.com`;
    const v = await visit(scheme);
    try {
      const { page } = v;
      await page.goto(`${served.url}/`);
      await expect(page.title()).resolves.toBe('My Links');
      await checkAndShoot(v, 'form', scheme);

      await page.getByLabel('Your email address').fill(email);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.waitForSelector('h1:text("Check your inbox")');
      await checkAndShoot(v, 'check-inbox', scheme);
      expect(await status(email)).toBe('pending');

      const file = readdirSync(path.join(cwd, 'outbox')).find((f) => f.startsWith('issue-0000-') && f.includes(email));
      const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file ?? '')));
      expect(mail.subject).toBe('Confirm your subscription to My Links');
      const link = /http:\/\/127\.0\.0\.1:\d+\/confirm\?token=\S+/.exec(mail.text ?? '')?.[0] ?? '';
      // The confirmation email itself, as a phone shows it: nothing loaded from anywhere, the button reachable.
      const opened = await openHtml(browser, String(mail.html), { width: 375, colorScheme: scheme });
      const button = await opened.page.getByRole('link', { name: 'Confirm my subscription' }).boundingBox();
      expect(button?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(await opened.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await opened.page.screenshot({
        path: path.join(SCREENSHOTS_DIR, `signup-email-375-${scheme}.png`),
        fullPage: true,
      });
      expect(opened.requests).toEqual([]);
      await opened.close();
      // The link opens a page with one button (a mail scanner's GET confirms nothing); the reader presses it.
      await page.goto(link);
      await page.waitForSelector('h1:text("Confirm your subscription")');
      expect(await status(email)).toBe('pending');
      await checkAndShoot(v, 'confirm', scheme);
      await page.getByRole('button', { name: 'Confirm my subscription' }).click();
      await page.waitForSelector('h1:text("You are subscribed")');
      await checkAndShoot(v, 'confirmed', scheme);
      expect(await status(email)).toBe('active');

      // An issue reaches the reader; its unsubscribe link opens a page, and only the button unsubscribes.
      // (A link newer than the last issue's, so each run has an issue to send.)
      const post = scheme === 'light' ? rawPost(2, 1) : rawPost(1, 2);
      writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify([post]));
      expect((await runCli(['send'], { cwd })).code).toBe(0);
      const issueFile = readdirSync(path.join(cwd, 'outbox')).find(
        (f) => /^issue-\d{4}-/.test(f) && !f.startsWith('issue-0000-') && f.includes(email),
      );
      const issue = await simpleParser(readFileSync(path.join(cwd, 'outbox', issueFile ?? '')));
      const unsubscribe = /http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=\S+/.exec(issue.text ?? '')?.[0] ?? '';
      await page.goto(unsubscribe);
      await page.waitForSelector('h1:text("Unsubscribe?")');
      expect(await status(email)).toBe('active');
      await checkAndShoot(v, 'unsubscribe', scheme);
      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.waitForSelector('h1:text("You are unsubscribed")');
      await checkAndShoot(v, 'unsubscribed', scheme);
      expect(await status(email)).toBe('unsubscribed');

      expect(v.foreign).toEqual([]);
      expect(v.violations).toEqual([]);
    } finally {
      await v.context.close();
    }
  }, 90_000);
});

it('shows a refused address again in the form, marked and explained, at 375 px', async () => {
  const v = await visit('light');
  try {
    await v.page.goto(`${served.url}/`);
    // The browser's own check lets it through (it takes a dotless domain); the server does not.
    await v.page.getByLabel('Your email address').fill('reader@localhost');
    await v.page.getByRole('button', { name: 'Subscribe' }).click();
    await v.page.waitForSelector('#email-error');
    expect(await v.page.getAttribute('#email', 'aria-invalid')).toBe('true');
    expect(await v.page.inputValue('#email')).toBe('reader@localhost');
    await checkAndShoot(v, 'error', 'light');
  } finally {
    await v.context.close();
  }
}, 60_000);
