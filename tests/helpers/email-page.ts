/// <reference lib="dom" />
/**
 * The digest's HTML as readers get it, and what the browser tests measure in it: `previewHtml` runs the real
 * CLI; the in-page functions are passed to Playwright's `page.evaluate`, so each is self-contained.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RawPost } from '../integration/servers/pinboard-server';
import { runCli } from './cli';
import { rawPost } from './pinboard-posts';
import { makeProject } from './project';

/** Where the browser tests leave screenshots for a person to look at. */
export const SCREENSHOTS_DIR = path.resolve(__dirname, '../../out/screenshots');

/** `digest.html` of `pinboard-digest preview` run in `cwd` (the embedded example when it has no config). */
export async function previewHtml(cwd: string): Promise<string> {
  const preview = await runCli(['preview', '--out', 'pv'], { cwd });
  if (preview.code !== 0) throw new Error(`preview failed: ${preview.stderr}`);
  return readFileSync(path.join(cwd, 'pv', 'digest.html'), 'utf8');
}

/**
 * An author project whose issue has what the sample lacks: one-letter tags (the narrowest targets), a link
 * with no note, one with many tags, a title with no place to break.
 */
export function edgeCaseProject(): string {
  const post = (n: number, extra: Partial<RawPost>) => rawPost(n, n, extra);
  return makeProject({
    posts: [
      post(1, { tags: 'c go x r web', extended: '' }),
      post(2, { tags: 'c', description: 'A note-less link with one short tag', extended: '' }),
      post(3, { tags: 'web css email accessibility typography design html layout dark-mode mobile' }),
      post(4, { description: 'Supercalifragilisticexpialidocious-and-then-some-more-words', tags: 'x' }),
      post(5, { description: 'A long title that wraps on a phone, as most titles in a digest do, onto a second line' }),
    ],
    config: {
      source: { type: 'file', path: 'bookmarks.json', user: 'tester' },
      intro: 'Edge cases.',
      footer: 'A footer from the config.',
    },
  });
}

/** The HTML a client that drops `<style>` (Gmail's mobile webmail, Outlook for Windows) works with. */
export const withoutStyleElements = (html: string) => html.replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '');

export interface TextContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
}

/**
 * In the page: every visible text node, its colour and the colour behind it (walking up to the first opaque
 * background, blending translucent ones), with the WCAG contrast ratio between them. `rootSelector`: only the
 * text inside the first element it matches (`page.evaluate(measureTextContrast, '.pfl')`).
 */
export function measureTextContrast(rootSelector?: unknown): TextContrast[] {
  type Rgba = [number, number, number, number];
  const parse = (css: string): Rgba => {
    const m = /rgba?\(([^)]*)\)/.exec(css);
    if (!m?.[1]) throw new Error(`unexpected colour ${css}`);
    const [r = 0, g = 0, b = 0, a = 1] = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [r, g, b, a];
  };
  const over = (top: Rgba, under: Rgba): Rgba => [
    top[0] * top[3] + under[0] * (1 - top[3]),
    top[1] * top[3] + under[1] * (1 - top[3]),
    top[2] * top[3] + under[2] * (1 - top[3]),
    1,
  ];
  const backgroundOf = (element: Element): Rgba => {
    const layers: Rgba[] = [];
    for (let e: Element | null = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let result: Rgba = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ([r, g, b]: Rgba) => {
    const lin = (v: number) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const css = ([r, g, b]: Rgba) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
  const found: TextContrast[] = [];
  // `unknown`: Playwright passes nothing (void) to a page function called without an argument.
  const root = typeof rootSelector === 'string' ? document.querySelector(rootSelector) : document.body;
  if (!root) throw new Error(`no ${rootSelector} in the page`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = (node.textContent ?? '').trim();
    if (!parent || text === '') continue;
    if (!parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const background = backgroundOf(parent);
    const color = over(parse(getComputedStyle(parent).color), background);
    const [light, dark] = [luminance(color), luminance(background)].sort((x, y) => y - x) as [number, number];
    const ratio = Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
    found.push({ text: text.slice(0, 50), color: css(color), background: css(background), ratio });
  }
  return found;
}

export interface TargetBox {
  /** Index of the link in the document: the boxes of one wrapped link share it. */
  link: number;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** In the page: the boxes of every visible link (one per line of a wrapped link), in page coordinates. */
export function measureLinkTargets(): TargetBox[] {
  return [...document.querySelectorAll('a[href]')].flatMap((a, link) =>
    [...a.getClientRects()]
      .filter((r) => r.width > 0 && r.height > 0)
      .map((r) => ({
        link,
        text: (a.textContent ?? '').trim().slice(0, 40),
        x: r.left + window.scrollX,
        y: r.top + window.scrollY,
        width: r.width,
        height: r.height,
      })),
  );
}

/** WCAG 2.2 SC 2.5.8 (target size, minimum): 24 × 24 CSS px, or spaced so. */
export const MIN_TARGET = 24;
const EPSILON = 0.01;

const centre = (b: TargetBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const undersized = (b: TargetBox) => b.width < MIN_TARGET - EPSILON || b.height < MIN_TARGET - EPSILON;
const overlap = (a: TargetBox, b: TargetBox) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > EPSILON &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > EPSILON;
function distanceToBox(p: { x: number; y: number }, b: TargetBox): number {
  const dx = Math.max(b.x - p.x, 0, p.x - (b.x + b.width));
  const dy = Math.max(b.y - p.y, 0, p.y - (b.y + b.height));
  return Math.hypot(dx, dy);
}

/**
 * Every way the boxes miss SC 2.5.8: two links' boxes overlap, or a box under 24 × 24 has a 24 px circle
 * (centred on it) that reaches another link's box or the circle of another undersized box. The boxes of one
 * wrapped link are one target and are not compared with each other.
 */
export function targetSizeProblems(boxes: TargetBox[]): string[] {
  const problems: string[] = [];
  const describe = (b: TargetBox) =>
    `"${b.text}" (${b.width.toFixed(1)}×${b.height.toFixed(1)} at ${b.x.toFixed(0)},${b.y.toFixed(0)})`;
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) {
      if (a.link === b.link) continue;
      if (overlap(a, b)) problems.push(`${describe(a)} overlaps ${describe(b)}`);
      for (const [small, other] of [
        [a, b],
        [b, a],
      ] as const) {
        if (!undersized(small)) continue;
        const c = centre(small);
        if (distanceToBox(c, other) < MIN_TARGET / 2 - EPSILON) {
          problems.push(`${describe(small)} is under 24 px and its circle reaches ${describe(other)}`);
        } else if (undersized(other) && small === a) {
          const d = centre(other);
          if (Math.hypot(c.x - d.x, c.y - d.y) < MIN_TARGET - EPSILON) {
            problems.push(`${describe(small)} and ${describe(other)} are under 24 px and their circles meet`);
          }
        }
      }
    }
  });
  return problems;
}
