/// <reference lib="dom" />
/**
 * The sample issue as a reader sees it: Debian's Chromium renders the HTML at phone (375 px) and
 * desktop-client (600 px) widths, light and dark. Screenshots land in out/screenshots/ for a person.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { runCli } from '../helpers/cli';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../out/screenshots');
let browser: Browser;
let html: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const cwd = mkdtempSync(path.join(tmpdir(), 'pd-browser-'));
  const preview = await runCli(['preview', '--out', 'pv'], { cwd });
  if (preview.code !== 0) throw new Error(preview.stderr);
  html = readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.each([
  [375, 'light'],
  [375, 'dark'],
  [600, 'light'],
] as const)('the sample issue at %i px, %s', (width, colorScheme) => {
  it('fits the width, shows every link legibly, and keeps the unsubscribe link reachable', async () => {
    const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
    await page.setContent(html, { waitUntil: 'load' });
    const facts = await page.evaluate(() => {
      const links = [...document.querySelectorAll<HTMLAnchorElement>('.b > a')];
      const style = (el: Element) => getComputedStyle(el);
      const unsubscribe = [...document.querySelectorAll('a')].find((a) => a.textContent === 'Unsubscribe');
      const card = document.querySelector('.card');
      return {
        scrollWidth: document.documentElement.scrollWidth,
        links: links.length,
        hidden: links.filter((a) => a.getBoundingClientRect().width === 0).length,
        smallestFont: Math.min(...links.map((a) => parseFloat(style(a).fontSize))),
        noteFont: parseFloat(style(document.querySelector('.n') ?? document.body).fontSize),
        unsubscribe: Boolean(unsubscribe && unsubscribe.getBoundingClientRect().height > 0),
        cardBackground: card ? style(card).backgroundColor : '',
        linkColor: links[0] ? style(links[0]).color : '',
      };
    });
    await page.screenshot({ path: path.join(SHOTS, `digest-${width}-${colorScheme}.png`), fullPage: true });
    await page.close();

    expect(facts.scrollWidth).toBeLessThanOrEqual(width);
    expect(facts.links).toBeGreaterThan(20);
    expect(facts.hidden).toBe(0);
    expect(facts.smallestFont).toBeGreaterThanOrEqual(15);
    expect(facts.noteFont).toBeGreaterThanOrEqual(15);
    expect(facts.unsubscribe).toBe(true);
    const [r, g, b] = (facts.cardBackground.match(/\d+/g) ?? []).map(Number) as [number, number, number];
    const luminance = (r + g + b) / 3;
    if (colorScheme === 'dark') {
      expect(luminance).toBeLessThan(60);
      expect(facts.linkColor).toBe('rgb(138, 180, 248)');
    } else {
      expect(luminance).toBeGreaterThan(240);
    }
  });
});
