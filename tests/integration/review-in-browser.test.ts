/// <reference lib="dom" />
/**
 * The author's review in Chromium (tests/helpers/browser.ts finds one on any machine): the preflight message
 * (a real issue under the preflight block) and each review page, at 375 px, light and dark. No sideways
 * scroll, the buttons at least 44 × 44 px and on screen, every text of the block and of the pages at 4.5:1 or
 * more against what is behind it (from computed styles), the block's dark colours where the client honours
 * the scheme, and its inline colours where `<style>` is dropped. Screenshots land in out/screenshots/review-*
 * and the dark preflight in /tmp/preflight-dark.png, for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderPreflight } from '../../lambda/render/preflight';
import {
  REVIEW_CONTENT_SECURITY_POLICY,
  reviewConfirmPage,
  reviewDonePage,
  reviewRefusedPage,
} from '../../lambda/render/review-pages';
import { CONTENT_SECURITY_POLICY } from '../../lambda/render/subscription-pages';
import { launchChromium, openHtml } from '../helpers/browser';
import { DRAFTED_AT, draftFixture, REVIEW_LINKS } from '../helpers/draft-fixture';
import { measureTextContrast, SCREENSHOTS_DIR, withoutStyleElements } from '../helpers/email-page';

const WIDTH = 375;
const SCHEMES = ['light', 'dark'] as const;

let browser: Browser;
let preflight: string;

beforeAll(async () => {
  const { draft, issue } = await draftFixture({
    titles: ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'],
    note: 'This week: mostly email.\nAnd a *little* CSS.',
    preflight: { warnings: ['Link check: 1 host did not answer (timeout)'], htmlBytes: 88_000, maxHtmlBytes: 95_000 },
  });
  preflight = renderPreflight({
    draft,
    title: 'Test Digest',
    lang: 'en',
    links: REVIEW_LINKS,
    issue,
    replyForNote: true,
    subjectRef: 'ref123',
    now: DRAFTED_AT,
  }).html;
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The boxes of what is tapped, and whether each is visible and within the width. */
async function targets(page: Page, selector: string) {
  return page.evaluate((s) => {
    return [...document.querySelectorAll(s)].map((e) => {
      const r = e.getBoundingClientRect();
      return {
        text: (e.textContent ?? '').trim(),
        width: r.width,
        height: r.height,
        onScreen: r.left >= 0 && r.right <= document.documentElement.clientWidth,
        visible: e.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
      };
    });
  }, selector);
}

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const backgroundOf = (page: Page, selector: string) =>
  page.evaluate((s) => getComputedStyle(document.querySelector(s) as Element).backgroundColor, selector);
const dark = (rgb: string) => (rgb.match(/\d+/g) ?? []).slice(0, 3).every((n) => Number(n) < 60);
const light = (rgb: string) => (rgb.match(/\d+/g) ?? []).slice(0, 3).every((n) => Number(n) > 200);

describe.each(SCHEMES)('the preflight at 375 px, %s', (scheme) => {
  it('fits the width, shows three 48 px buttons, and reads at 4.5:1 or more in the block', async () => {
    const { page, close, requests } = await openHtml(browser, preflight, { width: WIDTH, colorScheme: scheme });
    try {
      expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
      const buttons = await targets(page, '.pfl a');
      expect(buttons.map((b) => b.text)).toEqual(['Approve', 'Hold', 'Change the note']);
      for (const b of buttons) {
        expect(b).toMatchObject({ onScreen: true, visible: true });
        expect(b.width).toBeGreaterThanOrEqual(44);
        expect(b.height).toBeGreaterThanOrEqual(48);
      }
      const texts = await page.evaluate(measureTextContrast, '.pfl');
      expect(texts.length).toBeGreaterThan(20);
      expect(texts.map((t) => t.text)).toEqual(
        expect.arrayContaining(['Preflight: not sent yet', 'Approve', 'Hold', '• css: 6 links', 'Change the note']),
      );
      expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
      // The block follows the scheme where the client honours it; the issue below it is there as readers get it.
      const box = await backgroundOf(page, '.pfl-box');
      expect(scheme === 'dark' ? dark(box) : light(box)).toBe(true);
      expect(await page.evaluate(() => document.querySelectorAll('.b > a').length)).toBe(14);
      expect(requests).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `review-preflight-375-${scheme}.png`), fullPage: true });
      if (scheme === 'dark') await page.screenshot({ path: '/tmp/preflight-dark.png', fullPage: true });
    } finally {
      await close();
    }
  });
});

it('keeps the block readable and its buttons tappable in a client that drops <style>, at 375 px', async () => {
  const { page, close } = await openHtml(browser, withoutStyleElements(preflight), { width: WIDTH });
  try {
    expect(await page.evaluate(() => document.querySelectorAll('style').length)).toBe(0);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    const buttons = await targets(page, '.pfl a');
    expect(buttons).toHaveLength(3);
    for (const b of buttons) expect(b.height).toBeGreaterThanOrEqual(48);
    const texts = await page.evaluate(measureTextContrast, '.pfl');
    expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
    expect(light(await backgroundOf(page, '.pfl-box'))).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'review-preflight-375-no-style.png'), fullPage: true });
  } finally {
    await close();
  }
});

/** The page as the subscription API serves it, its policy as a meta tag (a header cannot be set here). */
const withPolicy = (page: string, policy: string) =>
  page.replace(
    '<meta charset="utf-8">',
    `<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy.replace(/; frame-ancestors 'none'/, '')}">`,
  );

const confirmInput = {
  token: 'draftId0123456789abcdef.lz3k2a.Ab12Cd.approveMacXXXXXXXXXXXX',
  issue: 3,
  subject: 'Test Digest #3: 14 links, one with a title long enough to wrap twice on a phone',
  sendAtLabel: 'Saturday, November 28, 2026 at 7:00 AM (Europe/London)',
  state: 'draft' as const,
};

const PAGES: [name: string, html: string, button: string | null][] = [
  [
    'approve',
    reviewConfirmPage({ ...confirmInput, purpose: 'approve', action: '/review/approve' }),
    'Approve issue #3',
  ],
  ['hold', reviewConfirmPage({ ...confirmInput, purpose: 'hold', action: '/review/hold' }), 'Hold issue #3'],
  [
    'note',
    reviewConfirmPage({
      ...confirmInput,
      purpose: 'note',
      action: '/review/note',
      note: 'This week: mostly email.\n\nAnd a *little* CSS, with [a link](https://example.com/a-very-long-path/that-does-not-break).',
    }),
    'Save the note',
  ],
  [
    'done',
    reviewDonePage({
      purpose: 'approve',
      issue: 3,
      lines: [
        'The bookmarks changed since the draft was made, so it was composed again:',
        '1 link added: "Supercalifragilisticexpialidocious-and-then-some-more-words"',
        'Approved. Issue #3 goes out Saturday, November 28, 2026 at 7:00 AM (Europe/London).',
      ],
    }),
    null,
  ],
  ...(['malformed', 'forged', 'expired', 'other-draft', 'gone'] as const).map((reason): [string, string, null] => [
    `refused-${reason}`,
    reviewRefusedPage(reason, 'issue #3 is already going out'),
    null,
  ]),
];

describe.each(SCHEMES)('the review pages at 375 px, %s', (scheme) => {
  it.each(PAGES)('%s: fits, its button is 44 × 44 px or more, every text at 4.5:1', async (name, html, button) => {
    const { page, close, requests } = await openHtml(browser, withPolicy(html, REVIEW_CONTENT_SECURITY_POLICY), {
      width: WIDTH,
      colorScheme: scheme,
    });
    try {
      expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
      const buttons = await targets(page, 'button');
      expect(buttons.map((b) => b.text)).toEqual(button ? [button] : []);
      for (const b of buttons) {
        expect(b).toMatchObject({ onScreen: true, visible: true });
        expect(b.width).toBeGreaterThanOrEqual(44);
        expect(b.height).toBeGreaterThanOrEqual(44);
      }
      const texts = await page.evaluate(measureTextContrast);
      expect(texts.length).toBeGreaterThanOrEqual(2);
      expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
      const card = await backgroundOf(page, '.card');
      expect(scheme === 'dark' ? dark(card) : light(card)).toBe(true);
      if (name === 'note') {
        // The review stylesheet is allowed by the policy: the box is the card's width, in the page's font and colours.
        const box = await page.evaluate(() => {
          const area = document.querySelector('textarea') as HTMLTextAreaElement;
          const s = getComputedStyle(area);
          const r = area.getBoundingClientRect();
          const form = (area.form as HTMLFormElement).getBoundingClientRect();
          return { font: s.fontSize, color: s.color, width: r.width, formWidth: form.width, height: r.height };
        });
        expect(box.font).toBe('16px');
        expect(box.width).toBeCloseTo(box.formWidth, 0);
        expect(box.height).toBeGreaterThanOrEqual(150);
        expect(box.color).toBe(scheme === 'dark' ? 'rgb(232, 232, 232)' : 'rgb(31, 31, 31)');
      }
      expect(requests).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `review-${name}-375-${scheme}.png`), fullPage: true });
    } finally {
      await close();
    }
  });
});

it('still works under the readers’ policy alone: the review stylesheet is refused, the page still fits and reads', async () => {
  const note = PAGES.find(([name]) => name === 'note')?.[1] ?? '';
  const { page, close } = await openHtml(browser, withPolicy(note, CONTENT_SECURITY_POLICY), { width: WIDTH });
  try {
    const font = await page.evaluate(() => getComputedStyle(document.querySelector('textarea') as Element).fontSize);
    expect(font).not.toBe('16px');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    expect((await targets(page, 'button'))[0]?.height ?? 0).toBeGreaterThanOrEqual(44);
    expect((await page.evaluate(measureTextContrast)).filter((t) => t.ratio < 4.5)).toEqual([]);
  } finally {
    await close();
  }
});
