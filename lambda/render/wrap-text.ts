/**
 * Wraps the plain-text part the way mail readers expect (RFC 5322 §2.1.1: lines of at most 78
 * characters). Prose is filled at word boundaries; a URL is never broken: one that does not fit goes on
 * a line of its own, which may run longer. Continuation lines keep the line's indentation, and under a
 * bullet (`* `, `- `, `1. `) they line up with the text after the marker.
 *
 * Widths are counted so that a line is within the limit whichever way it is measured: columns on screen
 * (CJK and emoji take two), characters, or UTF-16 units. CJK text, which has no spaces, is broken
 * between characters; a word longer than a line is broken too, never inside a grapheme.
 */

export const TEXT_WIDTH = 78;

/**
 * Stands for a line break inside one value (a note written on several lines): the wrapper breaks there
 * and goes on at the continuation indent, so the note stays under its bullet.
 */
export const LINE_BREAK_IN_VALUE = '\u2028';

export interface WrapOptions {
  width?: number;
  /**
   * Tokens that always get a line of their own, such as the unsubscribe placeholder, which is replaced
   * by a longer URL after wrapping.
   */
  alone?: readonly string[];
}

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const WIDE_ALL = new RegExp(WIDE.source, 'gu');
const URL = /^[(<["']?https?:\/\//i;
const BULLET = /^(?:[*\-•+]|\d{1,3}[.)])[ \t]+/;

/** Columns on screen or UTF-16 units, whichever is more (so also ≥ characters). */
export function textWidth(s: string): number {
  const wide = s.match(WIDE_ALL)?.length ?? 0;
  return wide === 0 ? s.length : Math.max(s.length, [...s].length + wide);
}

let graphemes: Intl.Segmenter | undefined;
/** Splits `word` into pieces of at most `first` and then `width` wide, at grapheme boundaries. */
function breakWord(word: string, first: number, width: number): string[] {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const pieces: string[] = [];
  let piece = '';
  let room = Math.max(first, 0);
  for (const { segment } of graphemes.segment(word)) {
    const w = textWidth(segment);
    if (textWidth(piece) + w > room && (piece !== '' || room < width)) {
      pieces.push(piece);
      piece = '';
      room = width;
    }
    piece += segment;
  }
  pieces.push(piece);
  return pieces;
}

/** Fills one segment of a line: `first` starts its first line, `rest` every line after. */
function fill(body: string, first: string, rest: string, width: number, alone: readonly string[]): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const flush = () => {
    if (!empty) lines.push(line.trimEnd());
    line = rest;
    empty = true;
  };
  const add = (word: string) => {
    line += empty ? word : ` ${word}`;
    empty = false;
  };
  for (const word of body.split(/[ \t]+/).filter((w) => w !== '')) {
    const w = textWidth(word);
    const room = width - textWidth(line) - (empty ? 0 : 1);
    if (alone.some((a) => a !== '' && word.includes(a))) {
      flush();
      add(word);
      flush();
    } else if (w <= room) {
      add(word);
    } else if (w <= width - textWidth(rest)) {
      flush();
      add(word);
    } else if (URL.test(word)) {
      // Longer than a line: alone on its own, unbroken, so it stays clickable and copyable.
      flush();
      add(word);
      flush();
    } else {
      const pieces = breakWord(word, room, width - textWidth(rest));
      pieces.forEach((piece, i) => {
        if (i > 0) flush();
        if (piece !== '') add(piece);
      });
    }
  }
  if (!empty || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** Wraps every line of `text` longer than the width; shorter lines are left exactly as they are. */
export function wrapText(text: string, options: WrapOptions = {}): string {
  const width = options.width ?? TEXT_WIDTH;
  const alone = options.alone ?? [];
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    const marker = BULLET.exec(line.slice(indent.length))?.[0] ?? '';
    const rest = indent + ' '.repeat(textWidth(marker));
    const segments = line.slice(indent.length + marker.length).split(/[\u2028\u2029]/);
    segments.forEach((segment, i) => {
      const first = i === 0 ? indent + marker : rest;
      const whole = first + segment;
      const single = segments.length === 1;
      if (textWidth(whole) <= width && !alone.some((a) => a !== '' && segment.includes(a) && segment.trim() !== a)) {
        out.push(single ? whole : whole.trimEnd());
      } else {
        out.push(...fill(segment, first, rest, width, alone));
      }
    });
  }
  return out.join('\n');
}
