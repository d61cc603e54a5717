/**
 * The pages of the subscription API, as HTML strings: one stylesheet (inline, allowed by its hash in the
 * Content-Security-Policy, so no script and no other style can run), every value escaped on the way in, no
 * JavaScript at all (forms work as forms). Readable at 375 px, light and dark, 48 px tap targets, labels on
 * every field, 4.5:1 contrast or more in both schemes.
 */
import { createHash } from 'node:crypto';

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"'`=]/g,
    (c) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' })[c] ?? c,
  );
}

/** Markup that is already safe (built by `html`): passed through as it is. */
export class Safe {
  constructor(readonly markup: string) {}
}

type Value = string | number | Safe | undefined | false | Value[];

function render(value: Value): string {
  if (value === undefined || value === false) return '';
  if (value instanceof Safe) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** A template literal whose every interpolation is escaped, unless it is itself `html`. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  return new Safe(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i] as Value) : ''), ''));
}

const CSS = `
:root { color-scheme: light dark; --bg: #f3f3f3; --card: #ffffff; --text: #1f1f1f; --muted: #5f5f5f;
  --accent: #0b57d0; --on-accent: #ffffff; --line: #757575; --error: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121212; --card: #1e1e1e; --text: #e8e8e8; --muted: #ababab;
    --accent: #8ab4f8; --on-accent: #0b1f44; --line: #8e8e8e; --error: #f2b8b5; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 34rem; margin: 0 auto; padding: 24px 16px 40px; }
.card { background: var(--card); border-radius: 12px; padding: 24px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 12px; overflow-wrap: anywhere; }
p { margin: 12px 0; overflow-wrap: anywhere; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
label { display: block; font-weight: 600; margin: 16px 0 6px; }
input[type=email] { display: block; width: 100%; min-height: 48px; padding: 10px 12px; font: inherit;
  color: var(--text); background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
input[aria-invalid=true] { border: 2px solid var(--error); }
button { display: inline-block; min-height: 48px; margin: 16px 0 4px; padding: 12px 28px; font: inherit;
  font-weight: 600; color: var(--on-accent); background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
.error { color: var(--error); font-weight: 600; }
.small, footer { color: var(--muted); font-size: 14px; }
footer { margin: 16px 8px; }
footer a { color: var(--muted); display: inline-block; padding: 12px 0; }
.hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
@media (max-width: 480px) { h1 { font-size: 22px; } button { width: 100%; } .card { padding: 20px 16px; } }
`.trim();

/** An inline stylesheet's hash, as `style-src` names it in a Content-Security-Policy. */
export const styleHashOf = (css: string) => `sha256-${createHash('sha256').update(css).digest('base64')}`;

/** The one stylesheet's hash, for `style-src` in the Content-Security-Policy. */
export const STYLE_HASH = styleHashOf(CSS);

/**
 * No scripts, no frames, no plugins, nothing fetched; forms post only back here; the inline styles by hash
 * (the pages' one stylesheet, and any a page adds with `page`'s `extraCss`).
 */
export const policyParts = (styleHashes: readonly string[]) => [
  "default-src 'none'",
  `style-src ${styleHashes.map((h) => `'${h}'`).join(' ')}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
];
const CONTENT_SECURITY_POLICY_PARTS = policyParts([STYLE_HASH]);
export const CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY_PARTS.join('; ');

export interface PageSite {
  title: string;
  intro?: string;
  lang: string;
  /** The archive's newest issue page, if any issue has been sent. */
  latestIssueUrl?: string;
  /** The archive's index of every issue. */
  archiveUrl?: string;
  /**
   * The sections a reader may choose (core/prefs.ts `offeredSections`): the sign-up form offers them, and every
   * issue or a monthly round-up, folded away (all sections and every issue unless changed).
   */
  sections?: readonly string[];
}

/** The sign-up form's choices, folded under a summary: nothing to do for a reader who wants it all. */
function signupChoices(sections: readonly string[] | undefined) {
  if (!sections || sections.length === 0) return '';
  const box = (title: string, i: number) =>
    html`<label for="c${i}"><input type="checkbox" id="c${i}" name="section" value="${title}" checked> ${title}</label>`;
  return html`<details><summary>Choose what you get (optional)</summary>
<fieldset><legend>Sections</legend>${sections.map(box)}</fieldset>
<fieldset><legend>How often</legend>
<label for="f-issue"><input type="radio" id="f-issue" name="frequency" value="issue" checked> Every issue</label>
<label for="f-monthly"><input type="radio" id="f-monthly" name="frequency" value="monthly"> A monthly round-up: one email with the first issue of each month</label>
</fieldset>
<p class="small">You can change this, or pause, from any issue.</p>
</details>`;
}

/**
 * The policy as a meta tag, for the signup page served as a static file (the archive bucket's root on AWS):
 * what a meta tag can say of CONTENT_SECURITY_POLICY (frame-ancestors only works as a header).
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY_PARTS.filter(
  (p) => !p.startsWith('frame-ancestors'),
).join('; ');

/**
 * A whole page: heading, content, and a footer back to the signup form. `metaCsp`: the policy in the page too.
 * `footer: false`: no footer (pages that are not the readers'). `extraCss`: a second stylesheet after the
 * pages' one, which the policy must allow by its own hash (`styleHashOf`).
 */
export function page(
  site: PageSite,
  heading: string,
  content: Safe,
  options: { home?: boolean; metaCsp?: boolean; footer?: boolean; extraCss?: string } = {},
): string {
  const footer =
    options.home || options.footer === false ? '' : html`<footer><a href="./">${site.title}: sign up</a></footer>`;
  return `<!doctype html>${
    html`<html lang="${site.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${
  options.metaCsp
    ? html`<meta http-equiv="Content-Security-Policy" content="${META_CONTENT_SECURITY_POLICY}">
`
    : ''
}<title>${heading === site.title ? heading : `${heading} · ${site.title}`}</title>
<style>${new Safe(CSS)}</style>${options.extraCss ? html`<style>${new Safe(options.extraCss)}</style>` : ''}</head>
<body><main><div class="card"><h1>${heading}</h1>
${content}</div>${footer}</main></body></html>
`.markup
  }`;
}

const latest = (site: PageSite) =>
  site.latestIssueUrl
    ? html`<p><a href="${site.latestIssueUrl}">Read the latest issue</a>${site.archiveUrl ? html` or <a href="${site.archiveUrl}">all issues</a>` : ''}</p>`
    : '';

/**
 * GET /: the form. With `error`, the same form after a refused address, the input kept (escaped). `static`:
 * written as a file at the root of the archive (AWS), carrying its Content-Security-Policy as a meta tag.
 */
export function signupPage(site: PageSite, options: { email?: string; error?: string; static?: boolean } = {}): string {
  const { email, error } = options;
  return page(
    site,
    site.title,
    html`${site.intro ? html`<p>${site.intro}</p>` : ''}
<form method="post" action="subscribe">
<label for="email">Your email address</label>
${error ? html`<p id="email-error" class="error" role="alert">${error}</p>` : ''}
<input id="email" name="email" type="email" autocomplete="email" inputmode="email" autocapitalize="off" spellcheck="false" required maxlength="254"${new Safe(error ? ' aria-invalid="true" aria-describedby="email-error"' : '')} value="${email ?? ''}">
<div class="hp" aria-hidden="true"><label for="website">Leave this empty</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
${signupChoices(site.sections)}
<button type="submit">Subscribe</button>
</form>
<p class="small">You will get an email with a link to confirm. Every issue has a link to leave with one click.</p>
${latest(site)}`,
    { home: true, metaCsp: options.static },
  );
}

/** A page that says one thing: a heading, paragraphs of text, and maybe a link back to the latest issue. */
export function messagePage(site: PageSite, heading: string, paragraphs: string[], withLatest = false): string {
  return page(site, heading, html`${paragraphs.map((p) => html`<p>${p}</p>`)}${withLatest ? latest(site) : ''}`);
}

/**
 * A question with one button that POSTs back to `action` (its token in the URL, like the link's): what a GET of a link from a
 * mail shows, since the GET itself must change nothing (mail scanners follow every link).
 */
function buttonPage(
  site: PageSite,
  heading: string,
  question: string,
  action: { path: string; token: string },
  button: string,
  after: string,
  hidden: Safe | '' = '',
): string {
  return page(
    site,
    heading,
    html`<p>${question}</p>
<form method="post" action="${action.path}?token=${encodeURIComponent(action.token)}">
${hidden}<button type="submit">${button}</button>
</form>
<p class="small">${after}</p>`,
  );
}

/** GET /unsubscribe: one button; the GET itself changes nothing. */
export function unsubscribeFormPage(site: PageSite, email: string | undefined, token: string): string {
  return buttonPage(
    site,
    'Unsubscribe?',
    email ? `Stop sending ${site.title} to ${email}?` : `Stop sending ${site.title} to this address?`,
    { path: 'unsubscribe', token },
    'Unsubscribe',
    'One click, and no more issues. You can sign up again at any time.',
    html`<input type="hidden" name="List-Unsubscribe" value="One-Click">
`,
  );
}

/** GET /confirm: one button; the GET itself confirms nothing. */
export function confirmFormPage(site: PageSite, email: string, token: string): string {
  return buttonPage(
    site,
    'Confirm your subscription',
    `Send ${site.title} to ${email}?`,
    { path: 'confirm', token },
    'Confirm my subscription',
    'Did not ask for it? Close this page: nothing is sent unless the button is pressed.',
  );
}
