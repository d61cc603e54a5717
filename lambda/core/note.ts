/**
 * The author's note of the day (an issue's `editorNote`): the markup it may use, and the HTML and plain text
 * it becomes. Pure: strings in, strings out.
 *
 * A note is plain text, or uses a small Markdown subset:
 * - paragraphs, separated by a blank line; a single line break stays a line break;
 * - `*emphasis*` or `_emphasis_`, `**strong**`, one inside the other (`**a *b* c**`), paired as CommonMark
 *   pairs them (an opening marker is followed, a closing one preceded, by something other than a space;
 *   `_` not inside a word, so `snake_case_name` stays as it is);
 * - links `[text](https://…)` to http(s) only (core/url.ts `isWebUrl`): any other link (`javascript:`,
 *   `data:`, `mailto:`, a relative one) is shown as the text it was written as;
 * - a backslash before one of `\ * _ [ ] ( ) !` shows that character as itself (`2\*3\*4`);
 * - a URL written in the text stays as written, no emphasis inside it (`https://example.org/_drafts_/`).
 * Everything else (HTML tags and entities, headings, lists, images `![…](…)`, code, `***`, `__`, an unpaired
 * marker) is shown as written. The HTML holds only `<p>`, `<br>`, `<em>`, `<strong>` and `<a href="…">`;
 * every text and every href is escaped, and an href is the URL as `URL` serializes it after the http(s)
 * check, so nothing in a note can open an element or leave an attribute.
 *
 * `normalizeNote` is the rule where a note comes in (it refuses an empty or overlong one). The renderers
 * clean a note the same way but refuse none: a note stored before a rule changed still renders (an issue's
 * size is checked as a whole, where it is composed).
 */
import { DigestError } from './errors';
import { isWebUrl } from './url';

/** The longest note, in characters (Unicode code points) once normalized. */
export const MAX_NOTE_CHARS = 2000;

/** A note that cannot be used, saying why (empty, too long). */
export class NoteError extends DigestError {}

export type NoteRun =
  | { type: 'text'; text: string }
  | { type: 'em'; runs: NoteRun[] }
  | { type: 'strong'; runs: NoteRun[] }
  /** `href`: an http(s) URL as `URL` serializes it; `text`: what the link says, as written. */
  | { type: 'link'; href: string; text: string }
  | { type: 'break' };

/** A paragraph: its runs, never empty. */
export interface NoteBlock {
  type: 'paragraph';
  runs: NoteRun[];
}

/**
 * What nobody can see or type on purpose, as core/email.ts refuses it in an address: control and format
 * characters (zero-width spaces, bidi overrides and isolates, the byte-order mark), line and paragraph
 * separators, private-use, unassigned, lone surrogates and other default-ignorable code points. A note keeps
 * the few of them an emoji is made of: a zero-width joiner between two pictographs (👩‍💻) and a variation
 * selector after one (❤️) or after a keycap's digit (1️⃣).
 */
const EMOJI_JOINER = String.raw`(?<=\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F)\u200D(?=\p{Extended_Pictographic})`;
const EMOJI_SELECTOR = String.raw`(?<=\p{Extended_Pictographic}|[#*0-9])(?:\uFE0E|\uFE0F)`;
const INVISIBLE = new RegExp(
  String.raw`(?!${EMOJI_JOINER})(?!${EMOJI_SELECTOR})[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}]`,
  'gu',
);

/**
 * The note as it is kept: line breaks as LF (CRLF, CR, and the Unicode line and paragraph separators), tabs
 * as spaces, invisible characters dropped (newlines stay), NFC, no space at the end of a line, at most one
 * blank line in a row, trimmed. Never refuses.
 */
function clean(text: string): string {
  return text
    .replace(/\r\n?|\u2028/g, '\n')
    .replace(/\u2029/g, '\n\n')
    .replace(/[\t\v\f]/g, ' ')
    .replace(INVISIBLE, (c) => (c === '\n' ? c : ''))
    .normalize('NFC')
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The note as it is stored and shown (see `clean`); a NoteError when nothing is left of it or it is too long. */
export function normalizeNote(text: string): string {
  const note = clean(text);
  if (note === '') {
    throw new NoteError(
      text === '' ? 'the note is empty' : 'the note is empty: it holds nothing but spaces or invisible characters',
    );
  }
  const length = [...note].length;
  if (length > MAX_NOTE_CHARS) {
    throw new NoteError(
      `the note is ${length.toLocaleString('en')} characters long; it may be at most ${MAX_NOTE_CHARS.toLocaleString('en')}`,
    );
  }
  return note;
}

/** What a backslash makes literal. */
const ESCAPABLE = new Set(['\\', '*', '_', '[', ']', '(', ')', '!']);
const SPACE = /\s/;
const PUNCTUATION = /[\p{P}\p{S}]/u;

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  | { kind: 'link'; href: string; text: string }
  /** A run of `*` (one or two) or one `_`; `pair` is the index of the marker it was paired with. */
  | { kind: 'marker'; source: string; open: boolean; close: boolean; pair?: number };
type Marker = Extract<Token, { kind: 'marker' }>;

/** `[text](destination)` starting at `at` (a `[`): its text, destination and end; undefined if it is not one. */
function linkAt(p: string, at: number): { text: string; destination: string; end: number } | undefined {
  let text = '';
  let i = at + 1;
  for (; i < p.length && p[i] !== ']'; i++) {
    const c = p[i] as string;
    if (c === '[' || c === '\n') return undefined;
    if (c === '\\' && ESCAPABLE.has(p[i + 1] ?? '')) i++;
    text += p[i];
  }
  if (text.trim() === '' || p[i] !== ']' || p[i + 1] !== '(') return undefined;
  // The destination: no space, parentheses balanced (a Wikipedia link keeps its `(disambiguation)`).
  let depth = 0;
  for (let j = i + 2; j < p.length; j++) {
    const c = p[j] as string;
    if (SPACE.test(c)) return undefined;
    if (c === '(') depth++;
    if (c === ')' && depth-- === 0) {
      return j === i + 2 ? undefined : { text, destination: p.slice(i + 2, j), end: j + 1 };
    }
  }
  return undefined;
}

const BARE_URL = /^https?:\/\//i;
const WORD = /[\p{L}\p{N}]/u;

/** Where a URL written in the text (at `at`) ends: at a space, less any `*` or `_` that close emphasis round it. */
function bareUrlEnd(p: string, at: number): number {
  let end = at;
  while (end < p.length && !SPACE.test(p[end] as string)) end++;
  while (end > at && (p[end - 1] === '*' || p[end - 1] === '_')) end--;
  return end;
}

/** A `*`/`_` run between `before` and `after`: whether it can open and close emphasis (CommonMark's flanking). */
function markerAt(source: string, before: string, after: string): Pick<Marker, 'open' | 'close'> {
  const space = (c: string) => c === '' || SPACE.test(c);
  const punct = (c: string) => PUNCTUATION.test(c);
  const left = !space(after) && (!punct(after) || space(before) || punct(before));
  const right = !space(before) && (!punct(before) || space(after) || punct(after));
  if (source[0] === '*') return { open: left, close: right };
  return { open: left && (!right || punct(before)), close: right && (!left || punct(after)) };
}

/** One paragraph (lines joined by `\n`) as tokens: text, breaks, links, and the markers that may pair. */
function tokenize(p: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') tokens.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < p.length; ) {
    const c = p[i] as string;
    const link = c === '[' ? linkAt(p, i) : undefined;
    const image = c === '!' && p[i + 1] === '[' ? linkAt(p, i + 1) : undefined;
    const url = BARE_URL.test(p.slice(i, i + 8)) && !WORD.test(p[i - 1] ?? '') ? bareUrlEnd(p, i) : undefined;
    if (c === '\\' && ESCAPABLE.has(p[i + 1] ?? '')) {
      text += p[i + 1];
      i += 2;
    } else if (image || url) {
      // An image is no link: shown as written. A URL in the text stays whole (`…/_drafts_/` gets no emphasis).
      const end = image?.end ?? (url as number);
      text += p.slice(i, end);
      i = end;
    } else if (c === '\n') {
      flush();
      tokens.push({ kind: 'break' });
      i++;
    } else if (link) {
      if (isWebUrl(link.destination)) {
        flush();
        tokens.push({ kind: 'link', href: new URL(link.destination).href, text: link.text });
      } else {
        text += p.slice(i, link.end);
      }
      i = link.end;
    } else if (c === '*' || c === '_') {
      let j = i;
      while (p[j] === c) j++;
      const source = p.slice(i, j);
      const { open, close } = markerAt(source, p[i - 1] ?? '', p[j] ?? '');
      if ((open || close) && (source === '*' || source === '**' || source === '_')) {
        flush();
        tokens.push({ kind: 'marker', source, open, close });
      } else {
        text += source;
      }
      i = j;
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return tokens;
}

/**
 * Pairs markers left to right: a closer takes the nearest open marker written the same way, and any opener
 * between them stays text. Pairs never cross.
 */
function pairMarkers(tokens: Token[]): void {
  const openers: number[] = [];
  tokens.forEach((token, t) => {
    if (token.kind !== 'marker') return;
    if (token.close) {
      const at = openers.findLastIndex((o) => (tokens[o] as { source: string }).source === token.source);
      if (at >= 0) {
        const opener = tokens[openers[at] as number] as Marker;
        opener.pair = t;
        token.pair = openers[at];
        openers.length = at;
        return;
      }
    }
    if (token.open) openers.push(t);
  });
}

function pushText(runs: NoteRun[], text: string): void {
  const last = runs[runs.length - 1];
  if (last?.type === 'text') last.text += text;
  else runs.push({ type: 'text', text });
}

function runsOf(tokens: readonly Token[], from: number, to: number): NoteRun[] {
  const runs: NoteRun[] = [];
  for (let t = from; t < to; t++) {
    const token = tokens[t] as Token;
    if (token.kind === 'marker' && token.pair !== undefined && token.pair > t) {
      const inner = runsOf(tokens, t + 1, token.pair);
      runs.push(token.source === '**' ? { type: 'strong', runs: inner } : { type: 'em', runs: inner });
      t = token.pair;
    } else if (token.kind === 'marker') pushText(runs, token.source);
    else if (token.kind === 'text') pushText(runs, token.text);
    else if (token.kind === 'link') runs.push({ type: 'link', href: token.href, text: token.text });
    else runs.push({ type: 'break' });
  }
  return runs;
}

/** The note's paragraphs (cleaned as `normalizeNote` does; an empty note has none), each line trimmed. */
export function parseNote(text: string): NoteBlock[] {
  return clean(text)
    .split(/\n[^\S\n]*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .join('\n'),
    )
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => {
      const tokens = tokenize(paragraph);
      pairMarkers(tokens);
      return { type: 'paragraph' as const, runs: runsOf(tokens, 0, tokens.length) };
    });
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

function runsHtml(runs: readonly NoteRun[]): string {
  return runs
    .map((run) => {
      if (run.type === 'text') return escapeHtml(run.text);
      if (run.type === 'em') return `<em>${runsHtml(run.runs)}</em>`;
      if (run.type === 'strong') return `<strong>${runsHtml(run.runs)}</strong>`;
      if (run.type === 'break') return '<br>';
      return `<a href="${escapeHtml(run.href)}">${escapeHtml(run.text)}</a>`;
    })
    .join('');
}

/** The note as HTML: a `<p>` a paragraph, one per line; '' for an empty note. */
export function noteHtml(text: string): string {
  return parseNote(text)
    .map((block) => `<p>${runsHtml(block.runs)}</p>`)
    .join('\n');
}

/** A link's text is its URL when it reads as that same URL (`https://example.org` for `…org/`). */
const isItsUrl = (link: { href: string; text: string }) => isWebUrl(link.text) && new URL(link.text).href === link.href;

function runsText(runs: readonly NoteRun[]): string {
  return runs
    .map((run) => {
      if (run.type === 'text') return run.text;
      if (run.type === 'em' || run.type === 'strong') return runsText(run.runs);
      if (run.type === 'break') return '\n';
      return isItsUrl(run) ? run.href : `${run.text} (${run.href})`;
    })
    .join('');
}

/**
 * The note as plain text: paragraphs apart by a blank line, line breaks kept, emphasis markers dropped, a
 * link as `text (url)` (the URL alone when the text is that URL); '' for an empty note.
 */
export function noteText(text: string): string {
  return parseNote(text)
    .map((block) => runsText(block.runs))
    .join('\n\n');
}
