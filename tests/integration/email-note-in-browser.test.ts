/// <reference lib="dom" />
/**
 * The note of the day as a reader sees it, in Chromium: an issue with a note (emphasis, strong, links, a
 * second paragraph) rendered by the shipped templates, its text at 4.5:1 or more against the card in light
 * and in dark, its links in the card's link colours, and readable where a client drops `<style>`.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openHtml } from '../helpers/browser';
import { measureTextContrast, withoutStyleElements } from '../helpers/email-page';
import { PLACEHOLDER, shippedRenderer } from '../helpers/factories';
import { issueWithNote } from '../helpers/note';

const NOTE =
  'A *quiet* week, with **one big** story: read [the long post](https://example.org/post) first.\n' +
  'And a line of its own.\n\nA second paragraph, with [another link](https://example.org/other).';

let browser: Browser;
let html: string;

beforeAll(async () => {
  [html, browser] = await Promise.all([
    shippedRenderer().then((r) => r(issueWithNote(NOTE), PLACEHOLDER).html),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The note's texts with their contrast, and the colour of each of its links. */
async function noteFacts(page: Page) {
  const texts = await page.evaluate(measureTextContrast);
  const links = await page.evaluate(() =>
    [...document.querySelectorAll('.editor-note a')].map((a) => getComputedStyle(a).color),
  );
  const words = ['A', 'quiet', 'one big', 'the long post', 'And a line of its own.', 'another link'];
  return { texts: texts.filter((t) => words.some((w) => t.text.startsWith(w))), links };
}

describe.each([
  [375, 'light', 'rgb(11, 87, 208)'],
  [375, 'dark', 'rgb(138, 180, 248)'],
  [600, 'light', 'rgb(11, 87, 208)'],
  [600, 'dark', 'rgb(138, 180, 248)'],
] as const)('an issue with a note at %i px, %s', (width, colorScheme, linkColour) => {
  it('shows every text of the note at 4.5:1 or more, its links in the card’s link colour', async () => {
    const { page, close } = await openHtml(browser, html, { width, colorScheme });
    const { texts, links } = await noteFacts(page);
    await close();

    expect(texts.map((t) => t.text)).toEqual(expect.arrayContaining(['quiet', 'one big', 'the long post']));
    expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
    expect(links).toEqual([linkColour, linkColour]);
  });
});

it('is readable where a client drops <style>: the client’s own link colour, the card’s text colour', async () => {
  const { page, close } = await openHtml(browser, withoutStyleElements(html), { width: 375, colorScheme: 'light' });
  const { texts, links } = await noteFacts(page);
  await close();

  expect(texts.length).toBeGreaterThan(4);
  expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
  expect(links).toHaveLength(2);
});
