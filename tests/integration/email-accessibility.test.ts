/**
 * Every reader can read and tap the digest: text contrast of at least 4.5:1 against what is really behind it,
 * in light and in dark, and links that are at least 24 × 24 CSS px or spaced so (WCAG 2.2, SC 1.4.3 and
 * 2.5.8) on a 375 px phone, with and without the `<style>` element. Measured in Chromium from computed styles
 * and layout, on the sample issue and on an issue of edge cases (one-letter tags, links without notes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, openHtml } from '../helpers/browser';
import {
  edgeCaseProject,
  measureLinkTargets,
  measureTextContrast,
  previewHtml,
  type TargetBox,
  targetSizeProblems,
  withoutStyleElements,
} from '../helpers/email-page';

let browser: Browser;
const issues: Record<'sample' | 'edge cases', string> = { sample: '', 'edge cases': '' };

beforeAll(async () => {
  [issues.sample, issues['edge cases'], browser] = await Promise.all([
    previewHtml(mkdtempSync(path.join(tmpdir(), 'pd-a11y-'))),
    previewHtml(edgeCaseProject()),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(['sample', 'edge cases'] as const)('the %s issue', (name) => {
  it.each([
    [375, 'light'],
    [375, 'dark'],
    [600, 'light'],
    [600, 'dark'],
  ] as const)('has every text at 4.5:1 or more against its background at %i px, %s', async (width, colorScheme) => {
    const { page, close } = await openHtml(browser, issues[name], { width, colorScheme });
    const texts = await page.evaluate(measureTextContrast);
    await close();

    expect(texts.length).toBeGreaterThan(20);
    expect(texts.some((t) => t.text === 'Unsubscribe')).toBe(true);
    expect(texts.filter((t) => t.ratio < 4.5)).toEqual([]);
  });

  it.each([
    ['with', (html: string) => html],
    ['without', withoutStyleElements],
  ])('gives every link a 24 px target at 375 px, %s <style>', async (_, variant) => {
    const { page, close } = await openHtml(browser, variant(issues[name]), { width: 375 });
    const boxes = await page.evaluate(measureLinkTargets);
    const tags = await page.evaluate(() => document.querySelectorAll('.t a').length);
    await close();

    expect(tags).toBeGreaterThan(4);
    expect(new Set(boxes.map((b) => b.link)).size).toBeGreaterThan(tags);
    expect(targetSizeProblems(boxes)).toEqual([]);
  });
});

describe('targetSizeProblems', () => {
  const box = (link: number, x: number, y: number, width: number, height: number): TargetBox => ({
    link,
    text: `link ${link}`,
    x,
    y,
    width,
    height,
  });

  it('fails the old tags, 15 px tall and 3.6 px apart, where a row wraps or a tag is short', () => {
    const wrappedRows = [box(0, 0, 0, 40, 15), box(1, 0, 19.5, 40, 15)];
    expect(targetSizeProblems(wrappedRows)).toHaveLength(1);
    const shortTags = [box(0, 0, 0, 15, 15), box(1, 18.6, 0, 15, 15)];
    expect(targetSizeProblems(shortTags)).toHaveLength(2);
  });

  it('passes 24 px targets side by side, and small ones far enough apart', () => {
    expect(targetSizeProblems([box(0, 0, 0, 24, 24), box(1, 24, 0, 24, 24)])).toEqual([]);
    expect(targetSizeProblems([box(0, 0, 0, 16, 16), box(1, 40, 0, 16, 16)])).toEqual([]);
    expect(targetSizeProblems([box(0, 0, 0, 16, 16), box(1, 20, 0, 16, 16)])).toHaveLength(1);
  });

  it('fails overlapping links and does not compare the lines of one wrapped link', () => {
    expect(targetSizeProblems([box(0, 0, 0, 100, 30), box(1, 50, 20, 100, 30)])).toHaveLength(1);
    expect(targetSizeProblems([box(0, 0, 0, 100, 26), box(0, 0, 24, 10, 26)])).toEqual([]);
  });
});
