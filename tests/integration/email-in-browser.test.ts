/// <reference lib="dom" />
/**
 * The sample issue as a reader sees it, in Chromium (tests/helpers/browser.ts finds one on any machine): at
 * phone (375 px) and desktop-client (600 px) widths, light and dark, and as clients that drop `<style>` show
 * it. Screenshots land in out/screenshots/ for a person to look at.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium, openHtml } from '../helpers/browser';
import { previewHtml, SCREENSHOTS_DIR, withoutStyleElements } from '../helpers/email-page';

let browser: Browser;
let html: string;

beforeAll(async () => {
  html = await previewHtml(mkdtempSync(path.join(tmpdir(), 'pd-browser-')));
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS_DIR, `digest-${name}.png`), fullPage: true });

const luminance = (rgb: string) => {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
  return (r + g + b) / 3;
};

describe.each([
  [375, 'light'],
  [375, 'dark'],
  [600, 'light'],
  [600, 'dark'],
] as const)('the sample issue at %i px, %s', (width, colorScheme) => {
  it('fits the width, shows every link legibly, keeps the unsubscribe link reachable, and paints one card', async () => {
    const { page, close } = await openHtml(browser, html, { width, colorScheme });
    const facts = await page.evaluate(() => {
      const links = [...document.querySelectorAll<HTMLAnchorElement>('.b > a')];
      const style = (el: Element) => getComputedStyle(el);
      const unsubscribe = [...document.querySelectorAll('a')].find((a) => a.textContent === 'Unsubscribe');
      const card = document.querySelector('.card');
      const cardBackground = card ? style(card).backgroundColor : '';
      const transparent = 'rgba(0, 0, 0, 0)';
      return {
        scrollWidth: document.documentElement.scrollWidth,
        links: links.length,
        hidden: links.filter((a) => a.getBoundingClientRect().width === 0).length,
        smallestFont: Math.min(...links.map((a) => parseFloat(style(a).fontSize))),
        noteFont: parseFloat(style(document.querySelector('.n') ?? document.body).fontSize),
        unsubscribe: Boolean(unsubscribe && unsubscribe.getBoundingClientRect().height > 0),
        cardBackground,
        pageBackground: style(document.body).backgroundColor,
        wrapperBackground: style(document.querySelector('body > div[role="article"]') ?? document.body).backgroundColor,
        // Anything inside the card painted another colour shows as a strip or a patch.
        patches: [...(card?.querySelectorAll('*') ?? [])]
          .map((el) => style(el).backgroundColor)
          .filter((c) => c !== transparent && c !== cardBackground),
        linkColor: links[0] ? style(links[0]).color : '',
      };
    });
    await shot(page, `${width}-${colorScheme}`);
    await close();

    expect(facts.scrollWidth).toBeLessThanOrEqual(width);
    expect(facts.links).toBeGreaterThan(20);
    expect(facts.hidden).toBe(0);
    expect(facts.smallestFont).toBeGreaterThanOrEqual(15);
    expect(facts.noteFont).toBeGreaterThanOrEqual(15);
    expect(facts.unsubscribe).toBe(true);
    expect(facts.patches).toEqual([]);
    expect(facts.wrapperBackground).toBe(facts.pageBackground);
    expect(facts.cardBackground).not.toBe(facts.pageBackground);
    if (colorScheme === 'dark') {
      expect(luminance(facts.cardBackground)).toBeLessThan(60);
      expect(luminance(facts.pageBackground)).toBeLessThan(luminance(facts.cardBackground));
      expect(facts.linkColor).toBe('rgb(138, 180, 248)');
    } else {
      expect(luminance(facts.cardBackground)).toBeGreaterThan(240);
      expect(facts.linkColor).toBe('rgb(11, 87, 208)');
    }
  });
});

describe('opening the mail', () => {
  it('asks nothing of the network: no fonts, images or stylesheets from elsewhere', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { requests, close } = await openHtml(browser, html, { width: 375, colorScheme });
      await close();
      expect(requests).toEqual([]);
    }
  });

  it('would notice a remote stylesheet such as the Google font MJML adds for Roboto', async () => {
    const withFont = html.replace(
      '</head>',
      '<link href="https://fonts.googleapis.com/css?family=Roboto:300,400,500,700" rel="stylesheet"></head>',
    );
    const { requests, close } = await openHtml(browser, withFont, { width: 375 });
    await close();
    expect(requests).toEqual(['https://fonts.googleapis.com/css?family=Roboto:300,400,500,700']);
  });
});

/** In the page: the computed look of what the design depends on, element by element. */
function designStyles(): Record<string, string>[] {
  const properties = [
    'color',
    'font-size',
    'font-weight',
    'font-family',
    'line-height',
    'letter-spacing',
    'text-transform',
    'text-decoration-line',
    'display',
    'padding-top',
    'padding-right',
    'padding-bottom',
    'margin-top',
    'margin-bottom',
    'border-bottom-width',
    'border-bottom-color',
    'background-color',
  ];
  const selectors = ['body', '.card', 'h1', '.m', 'h2', '.b', '.b > a', '.h', '.n', '.t', '.t a', '.f div', '.f a'];
  return selectors.flatMap((selector) =>
    [...document.querySelectorAll(selector)].map((el) => {
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return {
        selector,
        ...Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])),
        height: box.height.toFixed(1),
      };
    }),
  );
}

describe('in a client that drops <style> (Gmail mobile webmail, Outlook for Windows)', () => {
  it('keeps the section headings, link colours and sizes of the full design, at 600 px', async () => {
    const styled = await openHtml(browser, html, { width: 600 });
    const expected = await styled.page.evaluate(designStyles);
    await styled.close();
    const bare = await openHtml(browser, withoutStyleElements(html), { width: 600 });
    expect(await bare.page.evaluate(() => document.querySelectorAll('style').length)).toBe(0);
    const actual = await bare.page.evaluate(designStyles);
    await shot(bare.page, '600-no-style');
    await bare.close();

    expect(actual.length).toBeGreaterThan(100);
    expect(actual).toEqual(expected);
  });

  it('shows uppercase grey headings, bold blue titles and tappable grey tags at 375 px', async () => {
    const { page, close } = await openHtml(browser, withoutStyleElements(html), { width: 375 });
    const look = await page.evaluate(() => {
      const first = (selector: string) => {
        const el = document.querySelector(selector);
        if (!el) throw new Error(`no ${selector}`);
        const s = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          color: s.color,
          size: s.fontSize,
          weight: s.fontWeight,
          transform: s.textTransform,
          height: box.height,
        };
      };
      return {
        heading: first('h2'),
        title: first('.b > a'),
        host: first('.h'),
        tag: first('.t a'),
        footerLink: first('.f a'),
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
    await shot(page, '375-no-style');
    await close();

    expect(look.scrollWidth).toBeLessThanOrEqual(375);
    expect(look.heading).toMatchObject({ color: 'rgb(95, 95, 95)', size: '13px', transform: 'uppercase' });
    expect(look.title).toMatchObject({ color: 'rgb(11, 87, 208)', size: '16px', weight: '600' });
    expect(look.host).toMatchObject({ color: 'rgb(95, 95, 95)', size: '13px' });
    expect(look.tag).toMatchObject({ color: 'rgb(95, 95, 95)', size: '13px' });
    expect(look.tag.height).toBeGreaterThanOrEqual(24);
    expect(look.footerLink.color).toBe('rgb(95, 95, 95)');
  });
});

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first, and fails saying how to get a browser when it points nowhere', async () => {
    await expect(findChromium({ CHROMIUM_PATH: process.execPath })).resolves.toMatchObject({
      executablePath: process.execPath,
    });
    await expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).rejects.toThrow(
      'CHROMIUM_PATH is /nonexistent/chromium, which does not exist',
    );
  });

  it('starts the browser headless and quiet: no QUIC, sync or update traffic of its own', async () => {
    const found = await findChromium();
    expect(found.args).toEqual(expect.arrayContaining(['--headless', '--disable-quic', '--disable-component-update']));
    expect(found.args).not.toContain('--single-process');
  });
});
