/**
 * The live preview's page, as strings: the email at phone and desktop widths, light and dark, each in a
 * sandboxed iframe (no scripts, no same-origin, no forms, no popups), the text part beside them, and a build
 * error with its file, line and source lines when there is one. The page runs one script, served as a file
 * (`script-src 'self'`): an EventSource that reloads the page when a new build is ready.
 *
 * Dark mode: a page cannot set `prefers-color-scheme` per iframe, so each frame gets the email with its
 * scheme decided ahead: inside the email's own `<style>` elements, every `(prefers-color-scheme: dark)` media
 * feature becomes one that always matches (`(min-width: 0px)`) in a dark frame and never matches
 * (`(max-width: 0px)`) in a light one (the other way round for `light`), and `:root { color-scheme }` is set
 * to the frame's scheme. So a dark frame shows what a mail client that honours the email's
 * prefers-color-scheme rules shows in dark mode (Apple Mail, iOS Mail, Outlook for Mac), whatever the
 * scheme of the browser looking at the preview. Clients that recolour mail themselves (Gmail's apps,
 * Outlook.com and Outlook for Windows) are not simulated.
 */
import { html } from '../render/subscription-pages';
import type { BuildErrorView } from './errors';

export type Scheme = 'light' | 'dark';

export interface Device {
  name: 'phone' | 'desktop';
  label: string;
  width: number;
  height: number;
}

export const DEVICES: readonly Device[] = [
  { name: 'phone', label: 'Phone', width: 375, height: 720 },
  { name: 'desktop', label: 'Desktop', width: 1024, height: 760 },
];

export const SCHEMES: readonly Scheme[] = ['light', 'dark'];

/** The email with its colour scheme fixed to `scheme` (see the file's comment). */
export function emailInScheme(email: string, scheme: Scheme): string {
  const decided = email.replace(/(<style\b[^>]*>)([\s\S]*?)(<\/style>)/gi, (_all, open: string, css: string, close) => {
    const fixed = css.replace(/\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/gi, (_f, wanted: string) =>
      wanted.toLowerCase() === scheme ? '(min-width: 0px)' : '(max-width: 0px)',
    );
    return `${open}${fixed}${close}`;
  });
  const forced = `<style>:root { color-scheme: ${scheme} !important; }</style>`;
  return /<\/head>/i.test(decided) ? decided.replace(/<\/head>/i, `${forced}</head>`) : `${forced}${decided}`;
}

/** The page's policy: its own script and stylesheet, frames from itself, events from itself, nothing else. */
export const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * A frame's policy: the email's inline styles and its images, no script, sandboxed even when opened alone.
 * Remote images are allowed because a real client loads them (the shipped template has none).
 */
export const FRAME_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; sandbox; frame-ancestors 'self'";

export const LIVE_SCRIPT = `// preview --watch: reloads the page when the server says a new build is ready.
(() => {
  const root = document.documentElement;
  const status = document.getElementById('live');
  const say = (state, text) => {
    root.dataset.live = state;
    if (status) status.textContent = text;
  };
  const events = new EventSource('/events');
  events.addEventListener('build', (event) => {
    if (event.data !== root.dataset.version) location.reload();
  });
  events.addEventListener('open', () => say('on', 'live: reloads on every change'));
  events.addEventListener('error', () => say('off', 'not connected: is preview --watch still running?'));
})();
`;

export const PAGE_CSS = `
:root { color-scheme: light; --bg: #eceff3; --card: #ffffff; --text: #1f1f1f; --muted: #555b63; --line: #c9ced6;
  --accent: #0b57d0; --error: #b3261e; --error-bg: #fcecea; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
header { background: var(--card); border-bottom: 1px solid var(--line); padding: 14px 20px; }
h1 { font-size: 20px; line-height: 1.3; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 0 0 8px; }
p { margin: 4px 0; overflow-wrap: anywhere; }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted, figcaption { color: var(--muted); }
#live::before { content: "●"; margin-right: 4px; color: #8a8f96; }
[data-live=on] #live::before { color: #1e8e3e; }
[data-live=off] #live::before { color: var(--error); }
.notes { margin: 6px 0 0; padding-left: 18px; color: var(--muted); }
form { display: inline; }
button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
  color: var(--text); cursor: pointer; }
main { padding: 16px 20px 40px; }
.row { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; margin-bottom: 20px; }
figure { margin: 0; }
figcaption { font-size: 13px; margin: 0 0 6px; }
iframe { display: block; box-sizing: content-box; border: 1px solid var(--line); background: #ffffff; }
iframe.dark { background: #121212; color-scheme: dark; }
.text { flex: 1 1 360px; min-width: 0; }
/* A long line wraps here (marked by the missing indent); the text part itself is wrapped at 78 columns. */
.text pre { margin: 0; padding: 12px; height: 722px; overflow: auto; background: var(--card);
  border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.error { margin: 16px 20px 0; padding: 14px 18px; border: 2px solid var(--error); border-left-width: 8px;
  border-radius: 6px; background: var(--error-bg); }
.error h2 { color: var(--error); font-size: 17px; }
.error .where { font-weight: 600; }
.error pre { margin: 8px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.error pre.frame { background: var(--card); padding: 8px 10px; border: 1px solid var(--line); white-space: pre; overflow: auto; }
.stale { margin: 0 0 12px; font-weight: 600; color: var(--error); }
`.trimStart();

export interface ShownIssue {
  issue: number;
  subject: string;
  preheader: string;
  /** "5 links in 2 sections, HTML 12,345 bytes". */
  summary: string;
  text: string;
  /** The version the frames of this issue are served under. */
  version: number;
  builtAt: string;
}

export interface PageModel {
  version: number;
  title: string;
  /** "built in 120 ms at 17:40:02". */
  status: string;
  watching: { label: string; path: string }[];
  notes: string[];
  /** Network sources: when they were last asked, and whether the author may ask again now. */
  network?: { fetched: string; canRefresh: boolean };
  error?: BuildErrorView;
  nothing?: string;
  issue?: ShownIssue;
  /** The issue shown is an older, good build (the newest failed). */
  stale: boolean;
  /** No build yet: the first is running. */
  building?: boolean;
}

const frameUrl = (version: number, device: Device, scheme: Scheme) => `/frame/${version}/${device.name}-${scheme}.html`;

function frame(issue: ShownIssue, device: Device, scheme: Scheme) {
  const label = `${device.label}, ${device.width.toLocaleString('en')} px, ${scheme}`;
  return html`<figure class="${device.name}">
<figcaption>${label}</figcaption>
<iframe class="${scheme}" src="${frameUrl(issue.version, device, scheme)}" width="${device.width}" height="${device.height}" sandbox="" title="The email: ${label}"></iframe>
</figure>`;
}

function errorPanel(error: BuildErrorView) {
  const where = error.file
    ? `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}`
    : undefined;
  return html`<section class="error" role="alert" id="error">
<h2>${error.kind}</h2>
${where ? html`<p class="where">in <code id="error-where">${where}</code></p>` : ''}
<pre id="error-message">${error.message}</pre>
${error.frame ? html`<pre class="frame">${error.frame}</pre>` : ''}
<p class="muted">The preview keeps running: save a fix and it rebuilds.</p>
</section>`;
}

/** The whole page for one build. */
export function previewPage(model: PageModel): string {
  const { issue } = model;
  const heading = model.building
    ? 'Building the preview…'
    : model.error
      ? 'Build failed'
      : issue
        ? `Issue #${issue.issue}: ${issue.subject}`
        : `Nothing to preview: ${model.nothing ?? ''}`;
  const phone = DEVICES[0] as Device;
  const desktop = DEVICES[1] as Device;
  return `<!doctype html>\n${
    html`<html lang="en" data-version="${model.version}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · ${model.title} · preview</title>
<link rel="stylesheet" href="/preview.css">
<script src="/live.js" defer></script>
</head>
<body>
<header>
<h1 id="heading">${heading}</h1>
${issue && !model.error ? html`<p class="muted">${issue.preheader}</p><p id="summary">${issue.summary}</p>` : ''}
<p class="muted">${model.status} · <span id="live">connecting…</span></p>
<p class="muted">Watching: ${model.watching.map((w, i) => html`${i ? ', ' : ''}${w.label} <code>${w.path}</code>`)}</p>
${
  model.network
    ? html`<p class="muted">Bookmarks from the network, last fetched ${model.network.fetched}. ${
        model.network.canRefresh
          ? html`<form method="post" action="/refresh"><button type="submit">Fetch bookmarks again</button></form>`
          : 'They can be fetched again a minute after the last time.'
      }</p>`
    : ''
}
${model.notes.length ? html`<ul class="notes">${model.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</header>
${model.error ? errorPanel(model.error) : ''}
${
  issue
    ? html`<main>
${model.stale ? html`<p class="stale">Showing the last good build, from ${issue.builtAt}.</p>` : ''}
<div class="row">
${SCHEMES.map((s) => frame(issue, phone, s))}
<figure class="text"><figcaption>Text part</figcaption><pre id="text-part">${issue.text}</pre></figure>
</div>
<div class="row">${frame(issue, desktop, 'light')}</div>
<div class="row">${frame(issue, desktop, 'dark')}</div>
</main>`
    : ''
}
</body>
</html>
`.markup
  }`;
}

/** A frame's name in its URL: `phone-dark.html` → the device and scheme, or undefined. */
export function parseFrameName(name: string): { device: Device; scheme: Scheme } | undefined {
  const m = /^(phone|desktop)-(light|dark)\.html$/.exec(name);
  if (!m) return undefined;
  const device = DEVICES.find((d) => d.name === m[1]);
  return device ? { device, scheme: m[2] as Scheme } : undefined;
}
