/** Text out of feed fields: HTML to plain text, values of unexpected shapes read where they can be. */
import { decodeEntities } from '../pinboard-post';

/** Longer fields are cut before any pattern runs on them: core shows at most 1,200 characters of a note. */
const MAX_FIELD_CHARS = 20_000;

const clipField = (text: string) => (text.length > MAX_FIELD_CHARS ? text.slice(0, MAX_FIELD_CHARS) : text);

/** Collapses runs of spaces, keeps single line breaks, trims. */
export function tidy(text: string): string {
  return text
    .replace(/[ \t\f\v\r\u00a0]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();
}

const BLOCKS: Record<string, string> = { '<!--': '-->', '<script': '</script', '<style': '</style' };

/**
 * Drops comments, scripts and styles in one pass (an unclosed one drops the rest). A lazy regex would
 * rescan to the end for every unclosed opener: quadratic on hostile input.
 */
function dropBlocks(html: string): string {
  const lowered = html.toLowerCase();
  const opener = /<!--|<script\b|<style\b/g;
  let out = '';
  let at = 0;
  for (let m = opener.exec(lowered); m; m = opener.exec(lowered)) {
    out += `${html.slice(at, m.index)} `;
    const closer = BLOCKS[m[0]] ?? '>';
    const end = lowered.indexOf(closer, m.index + m[0].length);
    const after = end < 0 ? -1 : lowered.indexOf('>', end + closer.length - 1);
    at = after < 0 ? html.length : after + 1;
    opener.lastIndex = at;
  }
  return out + html.slice(at);
}

/** Plain text of an HTML fragment (a description, `content:encoded`, an Atom `type="html"` field). */
export function htmlToText(html: string): string {
  const text = dropBlocks(clipField(html))
    .replace(/<br\s*\/?>|<\/(?:p|div|li|h[1-6]|blockquote|tr)\s*>/gi, '\n')
    .replace(/<\/?[a-z][^<>]*>/gi, '');
  return tidy(decodeEntities(text));
}

/** Plain text that may carry entities (RSS titles are often escaped twice: `&amp;amp;`). */
export const plainText = (text: string) => tidy(decodeEntities(clipField(text)));

/**
 * A text value of any JSON shape: a string; a finite number; the first readable item of an array; an
 * object's `text`/`value`/`#text`/`_`/`content`. Anything else: undefined.
 */
export function readText(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (depth > 3 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 10)) {
      const text = readText(v, depth + 1);
      if (text?.trim()) return text;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['text', 'value', '#text', '_', 'content']) {
    if (Object.hasOwn(record, key)) {
      const text = readText(record[key], depth + 1);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** A link value of any JSON shape: a string, an object's `href` or `url`, the first of an array. */
export function readLink(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (depth > 3 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 10)) {
      const link = readLink(v, depth + 1);
      if (link) return link;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['href', 'url']) {
    if (Object.hasOwn(record, key)) {
      const link = readLink(record[key], depth + 1);
      if (link) return link;
    }
  }
  return undefined;
}

/** The first line of a text, cut at a word near `max` characters: a title for an item that has none. */
export function titleFrom(text: string, max = 100): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
