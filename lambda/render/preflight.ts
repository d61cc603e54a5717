/**
 * The preflight: the message the author gets ahead of a scheduled send (config `review`). It is the issue
 * exactly as readers will get it, with a block put in front of it that says what the issue is, when it goes
 * out and to how many readers, what was left out and why, how big it is, and three buttons (Approve, Hold,
 * Add a note). Pure: values in, values out.
 *
 * The block is email-safe: a table with inline styles only (it reads the same where `<style>` is dropped:
 * Gmail's mobile webmail, Outlook for Windows), dark text on a light amber box with a border, so it stands
 * apart from the issue whatever the client does with colours. Where a client honours `prefers-color-scheme`
 * (Apple Mail, iOS Mail, Outlook for Mac), one small stylesheet in the head turns the box dark; every pair
 * of colours it uses has 4.5:1 contrast or more. The buttons are 52 px tall, their links 48 px or more (bulletproof: padding on the
 * link, `mso-padding-alt` on the cell for Outlook). Every value is escaped: bookmark titles, the note and the
 * subject come from elsewhere. The issue's markup is kept as it is; only its hidden preheader is replaced by
 * the preflight's, when it stands where MJML puts it (right after `<body>`).
 */
import { RenderError } from '../core/errors';
import type { DeadLink } from '../core/model';
import type { Draft, LeftOutLink, PreflightFacts } from '../core/review';
import { displayHost, isWebUrl } from '../core/url';
import { html, type Safe } from './subscription-pages';
import { wrapText } from './wrap-text';

export interface PreflightInput {
  draft: Draft;
  /** The digest's title. */
  title: string;
  /** BCP 47 (`en`, `fr-CA`): the send time is written in it. */
  lang: string;
  /** Absolute http(s) URLs with their tokens, made by the caller. */
  links: { approve: string; hold: string; note: string };
  /** The issue exactly as a reader gets it (its unsubscribe link a placeholder or a sample one). */
  issue: { html: string; text: string };
  /** Replying to the preflight with text sets the note (AWS with SES receiving). */
  replyForNote: boolean;
  /** A token put in the subject as ` [ref:TOKEN]`, so that a reply can be matched to the draft. */
  subjectRef?: string;
  now: Date;
}

export interface Preflight {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

const HEADING = 'Preflight: not sent yet';

/** Above this share of `maxHtmlBytes` the size line comes with a warning. */
const SIZE_WARNING_SHARE = 0.9;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** English counts ("1 link", "3 links"), numbers as English writes them: the block is in English. */
const englishNumber = new Intl.NumberFormat('en');
const count = (n: number, one: string, other: string) => `${englishNumber.format(n)} ${n === 1 ? one : other}`;

function dateFormat(lang: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  for (const locale of [lang, 'en']) {
    try {
      return new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      // an unknown language tag: English; an unknown zone is refused below
    }
  }
  throw new RenderError(`the time zone ${JSON.stringify(timeZone)} is not one Intl knows`);
}

/**
 * The send time as the author reads it, in the schedule's zone and `lang`, the zone named:
 * "Saturday, November 28, 2026 at 7:00 AM (Europe/London)". The review pages take the same label.
 */
export function sendAtLabel(sendAt: string, timeZone: string, lang: string): string {
  const at = new Date(sendAt);
  if (Number.isNaN(at.getTime())) throw new RenderError(`the send time ${JSON.stringify(sendAt)} is not a date`);
  return `${dateFormat(lang, timeZone, { dateStyle: 'full', timeStyle: 'short' }).format(at)} (${timeZone})`;
}

/** For the subject: "Sat, Nov 28, 7:00 AM", "sam. 28 nov., 07:00". */
function shortSendAt(sendAt: string, timeZone: string, lang: string): string {
  const at = new Date(sendAt);
  const day = dateFormat(lang, timeZone, { weekday: 'short', month: 'short', day: 'numeric' }).format(at);
  return `${day}, ${dateFormat(lang, timeZone, { timeStyle: 'short' }).format(at)}`;
}

/** "in 14 hours", "in 3 days"; "the send time has passed" once it has. */
function untilSend(sendAt: string, now: Date): string {
  const ms = Date.parse(sendAt) - now.getTime();
  if (ms <= 0) return 'the send time has passed';
  const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return relative.format(Math.max(1, minutes), 'minute');
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return relative.format(hours, 'hour');
  return relative.format(Math.round(ms / 86_400_000), 'day');
}

const MODE: Record<Draft['mode'], string> = {
  auto: 'goes out by itself unless you hold it',
  approve: 'goes out only if you approve it',
};

const STATE: Record<Draft['state'], string | undefined> = {
  draft: undefined,
  approved: 'Approved: it goes out at the send time.',
  held: 'Held: it does not go out; its links wait for the next draft.',
  sent: 'Already sent.',
  replaced: 'Replaced by a newer draft: use the newest preflight.',
};

/** The left-out counts in words, in this order; only the non-zero ones are said. */
const LEFT_OUT: [keyof PreflightFacts['counts'], string, string][] = [
  ['private', 'private bookmark (never shown)', 'private bookmarks (never shown)'],
  ['toread', 'marked to read', 'marked to read'],
  ['alreadySent', 'already sent', 'already sent'],
  ['excludedTag', 'with an excluded tag', 'with an excluded tag'],
  ['notIncludedTag', 'without an included tag', 'without an included tag'],
  ['outsideWindow', 'outside the window', 'outside the window'],
  ['duplicate', 'duplicate', 'duplicates'],
  ['unsupportedScheme', 'not an http(s) link', 'not http(s) links'],
];

const DEAD_ACTION: Record<DeadLink['action'], string> = {
  dropped: 'dropped for good',
  held: 'held back, checked again for the next issue',
  marked: 'sent with a warning',
};

/** "Title (host)": a left-out link as the block names it. */
const named = (link: { url: string; title: string }) => {
  const host = displayHost(link.url);
  return `${oneLine(link.title) || link.url}${host ? ` (${host})` : ''}`;
};

const carriedLine = (c: LeftOutLink) => `${named(c)}: ${c.why}`;

/** The most links a list of the block shows: past it one line says how many more (the block stays small). */
export const MAX_LISTED = 20;
const capped = (lines: string[], what: string) =>
  lines.length > MAX_LISTED
    ? [
        ...lines.slice(0, MAX_LISTED),
        `and ${lines.length - MAX_LISTED} more ${what} (\`pinboard-digest preview\` lists them all)`,
      ]
    : lines;

/** The reason already says the status ("404 Not Found", "DNS: no such host"). */
const deadLine = (d: DeadLink) => `${named(d)}: ${oneLine(d.reason)}; ${DEAD_ACTION[d.action]}`;

const kb = (bytes: number) => `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(bytes / 1000)} KB`;

/** What the block says, once, for both the HTML and the text part. */
interface Block {
  issueLine: string;
  subject: string;
  preheader: string;
  goesOut: { when: string; rest: string };
  mode: string;
  state?: string;
  sections: string[];
  /** Readers by what they get, when some chose (sections, a round-up, a pause). */
  readers: string[];
  leftOut: string[];
  carried: string[];
  dead: string[];
  size: string;
  sizeWarning?: string;
  warnings: string[];
  note?: string;
  buttons: { label: string; href: string; primary: boolean }[];
  reply?: string;
}

function blockOf(input: PreflightInput): Block {
  const { draft } = input;
  const { model } = draft.record;
  const facts = draft.preflight;
  for (const [name, url] of Object.entries(input.links)) {
    if (!isWebUrl(url)) throw new RenderError(`the preflight's ${name} link is not an http(s) URL`);
  }
  const share = facts.maxHtmlBytes > 0 ? facts.htmlBytes / facts.maxHtmlBytes : 1;
  const percent = Math.round(share * 100);
  const note = model.editorNote?.trim() ? model.editorNote : undefined;
  return {
    issueLine: `${oneLine(input.title)}, issue #${draft.issue}`,
    subject: oneLine(model.subject),
    preheader: oneLine(model.preheader),
    goesOut: {
      when: sendAtLabel(draft.sendAt, draft.timeZone, input.lang),
      rest: `${untilSend(draft.sendAt, input.now)}, to ${count(facts.readers, 'reader', 'readers')}`,
    },
    mode: MODE[draft.mode],
    state: STATE[draft.state],
    sections: model.sections.map((s) => `${oneLine(s.title)}: ${count(s.bookmarks.length, 'link', 'links')}`),
    readers: (facts.shares ?? []).map((s) => `${s.readers.toLocaleString('en')}: ${oneLine(s.label)}`),
    leftOut: LEFT_OUT.filter(([key]) => facts.counts[key] > 0).map(([key, one, other]) =>
      count(facts.counts[key], one, other),
    ),
    carried: capped(facts.carried.map(carriedLine), 'carried'),
    dead: capped(facts.dead.map(deadLine), 'dead'),
    size: `${kb(facts.htmlBytes)} of ${kb(facts.maxHtmlBytes)} (${percent} %)`,
    sizeWarning:
      share > 1
        ? 'Over the size budget: Gmail clips a message past about 102 KB and hides the rest, the unsubscribe link with it.'
        : share > SIZE_WARNING_SHARE
          ? 'Close to the size budget: Gmail clips a message past about 102 KB; a few more links and some are carried to the next issue.'
          : undefined,
    warnings: facts.warnings.map(oneLine).filter((w) => w !== ''),
    note,
    buttons: [
      { label: 'Approve', href: input.links.approve, primary: true },
      { label: 'Hold', href: input.links.hold, primary: false },
      { label: note ? 'Change the note' : 'Add a note', href: input.links.note, primary: false },
    ],
    reply: input.replyForNote ? 'Or reply to this message: the text above the quote becomes the note.' : undefined,
  };
}

const preheaderOf = (b: Block) => `Issue goes out ${b.goesOut.when}, ${b.goesOut.rest}; it ${b.mode}.`;

// ---- HTML ------------------------------------------------------------------------------------------------

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif";

/** Light colours, inline; the dark ones are in DARK_CSS. Each text colour is ≥ 4.5:1 on its box. */
const C = {
  box: '#fff8e1',
  border: '#8a5a00',
  text: '#1f1f1f',
  heading: '#6b4500',
  muted: '#545454',
  warn: '#a1231b',
  accent: '#0b57d0',
  onAccent: '#ffffff',
};

/** For clients that honour the scheme; `!important` beats the inline light colours. */
const DARK_CSS = `
@media (prefers-color-scheme: dark) {
  .pfl-box { background: #2b2412 !important; border-color: #c99a3c !important; }
  .pfl-box, .pfl-box div, .pfl-box td, .pfl-box li { color: #ececec !important; }
  .pfl-box .pfl-h { color: #ffd479 !important; }
  .pfl-box .pfl-m { color: #cfcfcf !important; }
  .pfl-box .pfl-w { color: #ffb4ab !important; }
  .pfl-box .pfl-n { border-color: #c99a3c !important; }
  .pfl-box td.pfl-b1, .pfl-box a.pfl-b1 { background: #8ab4f8 !important; color: #0b1f44 !important; }
  .pfl-box td.pfl-b2 { background: #2b2412 !important; border-color: #8ab4f8 !important; }
  .pfl-box a.pfl-b2 { color: #8ab4f8 !important; }
}`.trim();

const heading = (text: string) =>
  html`<div class="pfl-h" style="margin:16px 0 4px;font-size:13px;line-height:20px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:${C.heading};">${text}</div>`;

/** A line of the block; `tone`: muted or warning grey/red (their dark colours by class). */
const line = (content: Safe | string, tone?: 'muted' | 'warn', extra = '') =>
  html`<div${tone ? html` class="${tone === 'warn' ? 'pfl-w' : 'pfl-m'}"` : ''} style="margin:0 0 4px;overflow-wrap:anywhere;word-break:break-word;${tone ? `color:${tone === 'warn' ? C.warn : C.muted};` : ''}${extra}">${content}</div>`;

const lines = (items: string[], empty: string) =>
  items.length > 0 ? items.map((item) => line(`• ${item}`)) : line(empty, 'muted');

function button(b: Block['buttons'][number]): Safe {
  const cls = b.primary ? 'pfl-b1' : 'pfl-b2';
  // 52 px each: 16 + 20 + 16 filled; 14 + 20 + 14 inside a 2 px border outlined (the link itself 48).
  const cell = b.primary
    ? `background:${C.accent};border-radius:6px;mso-padding-alt:16px 24px;`
    : `background:${C.box};border:2px solid ${C.accent};border-radius:6px;mso-padding-alt:14px 22px;`;
  const link = b.primary
    ? `padding:16px 24px;color:${C.onAccent};background:${C.accent};`
    : `padding:14px 22px;color:${C.accent};`;
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="margin:8px 0 0;max-width:320px;border-collapse:separate;"><tr><td class="${cls}" align="center" bgcolor="${b.primary ? C.accent : C.box}" style="${cell}"><a class="${cls}" href="${b.href}" target="_blank" style="display:block;${link}font-family:${FONT};font-size:16px;line-height:20px;font-weight:600;text-align:center;text-decoration:none;border-radius:6px;">${b.label}</a></td></tr></table>`;
}

function blockHtml(b: Block, lang: string, preheader: Safe | ''): Safe {
  const noteLines = b.note?.split(/\r\n?|\n/) ?? [];
  return html`
${preheader}<!--[if mso | IE]><table role="presentation" align="center" width="640" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<div class="pfl" lang="en" dir="ltr" style="max-width:640px;margin:0 auto;padding:16px 8px 12px;">
<table class="pfl-box" role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${C.box}" style="background:${C.box};border:2px solid ${C.border};border-radius:8px;border-collapse:separate;">
<tr><td style="padding:16px 20px 20px;font-family:${FONT};font-size:16px;line-height:1.5;color:${C.text};text-align:left;">
<div class="pfl-h" style="margin:0 0 4px;font-size:20px;line-height:28px;font-weight:700;color:${C.heading};">${HEADING}</div>
${line(html`<strong>${b.issueLine}</strong>`)}
${line(html`Subject: ${b.subject}`)}
${line(html`Preheader: ${b.preheader}`, 'muted')}
${line(html`Goes out <span lang="${lang}">${b.goesOut.when}</span>, ${b.goesOut.rest}.`, undefined, 'margin-top:8px;')}
${line(html`It ${b.mode}.`)}
${b.state ? line(html`<strong>${b.state}</strong>`) : ''}
${b.buttons.map(button)}
${b.reply ? line(b.reply, 'muted', 'margin-top:8px;') : ''}
${heading('Links and sections')}
${lines(b.sections, 'No sections.')}
${b.readers.length > 0 ? html`${heading('Readers, by their choices')}${lines(b.readers, '')}` : ''}
${heading('Left out')}
${lines(b.leftOut, 'Nothing.')}
${b.carried.length > 0 ? html`${heading('Carried to the next issue')}${lines(b.carried, '')}` : ''}
${b.dead.length > 0 ? html`${heading('Dead links')}${lines(b.dead, '')}` : ''}
${heading('Size')}
${line(b.size)}
${b.sizeWarning ? line(html`<strong>${b.sizeWarning}</strong>`, 'warn') : ''}
${b.warnings.length > 0 ? html`${heading('Warnings')}${b.warnings.map((w) => line(w, 'warn'))}` : ''}
${
  b.note
    ? html`${heading('Your note (shown above the links)')}<div class="pfl-n" style="margin:4px 0 0;padding:0 0 0 12px;border-left:3px solid ${C.border};overflow-wrap:anywhere;word-break:break-word;">${noteLines.map((l, i) => html`${i > 0 ? html`<br>` : ''}${l}`)}</div>`
    : ''
}
</td></tr></table>
</div>
<!--[if mso | IE]></td></tr></table><![endif]-->
`;
}

/** Hidden inbox preview text, as MJML writes it; the issue's own, when it stands right after `<body>`. */
const hiddenPreheader = (text: string) =>
  html`<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">${text}</div>`;
const ISSUE_PREHEADER = /^\s*<div style="display:none;[^"]*">[^<]*<\/div>/;

function insertBlock(issueHtml: string, b: Block, lang: string, preheader: string): string {
  const body = /<body\b[^>]*>/i.exec(issueHtml);
  if (!body) throw new RenderError('the issue HTML has no <body> tag to put the preflight after');
  const start = body.index + body[0].length;
  let rest = issueHtml.slice(start);
  const ownPreheader = ISSUE_PREHEADER.test(rest);
  if (ownPreheader) rest = rest.replace(ISSUE_PREHEADER, '');
  const block = blockHtml(b, lang, ownPreheader ? hiddenPreheader(preheader) : '').markup;
  const head = issueHtml.slice(0, start);
  const headEnd = head.search(/<\/head>/i);
  const withStyle =
    headEnd < 0
      ? head
      : `${head.slice(0, headEnd)}<style type="text/css">\n${DARK_CSS}\n</style>\n${head.slice(headEnd)}`;
  return `${withStyle}${block}${rest}`;
}

// ---- text ------------------------------------------------------------------------------------------------

const DASHES = '-'.repeat(72);

function blockText(b: Block): string {
  const out: string[] = [HEADING.toUpperCase(), '', b.issueLine, `Subject: ${b.subject}`, `Preheader: ${b.preheader}`];
  out.push('', `Goes out ${b.goesOut.when}, ${b.goesOut.rest}.`, `It ${b.mode}.`);
  if (b.state) out.push(b.state);
  for (const button of b.buttons) out.push('', `${button.label}:`, button.href);
  if (b.reply) out.push('', b.reply);
  const list = (title: string, items: string[], empty?: string) => {
    if (items.length === 0 && empty === undefined) return;
    out.push('', `${title}:`, ...(items.length > 0 ? items.map((i) => `* ${i}`) : [`  ${empty}`]));
  };
  list('Links and sections', b.sections, 'No sections.');
  list('Readers, by their choices', b.readers);
  list('Left out', b.leftOut, 'Nothing.');
  list('Carried to the next issue', b.carried);
  list('Dead links', b.dead);
  out.push('', `Size: ${b.size}`);
  if (b.sizeWarning) out.push(b.sizeWarning);
  list('Warnings', b.warnings);
  if (b.note) {
    out.push('', 'Your note (shown above the links):');
    for (const l of b.note.split(/\r\n?|\n/)) out.push(l.trim() === '' ? '' : `  ${l.trimEnd()}`);
  }
  return wrapText(out.join('\n'), { alone: b.buttons.map((button) => button.href) });
}

// ---- the message -----------------------------------------------------------------------------------------

const REF = /^[A-Za-z0-9._~-]{1,200}$/;

/** The preflight of `input.draft`: its subject, preheader, and the issue with the block in front of it. */
export function renderPreflight(input: PreflightInput): Preflight {
  const { draft } = input;
  if (input.subjectRef !== undefined && !REF.test(input.subjectRef)) {
    throw new RenderError('the preflight subject ref must be a URL-safe token (letters, digits, . _ ~ -)');
  }
  const b = blockOf(input);
  const preheader = preheaderOf(b);
  const subject = `Preflight: ${b.subject} (goes out ${shortSendAt(draft.sendAt, draft.timeZone, input.lang)})${
    input.subjectRef ? ` [ref:${input.subjectRef}]` : ''
  }`;
  return {
    subject,
    preheader,
    html: insertBlock(input.issue.html, b, input.lang, preheader),
    text: `${blockText(b)}\n\n${DASHES}\n\n${input.issue.text}`,
  };
}
