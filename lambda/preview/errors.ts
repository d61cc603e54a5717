/**
 * A failed rebuild as the page shows it: what kind of mistake, in which file and on which line, the message,
 * and the lines around it. Template errors carry file and line (render/templates.ts); a config or bookmark
 * file that is not valid JSON is located from the parser's position; a config key that is not allowed is
 * looked up in the file by name.
 */
import { ConfigError, DigestError, RenderError, SourceError } from '../core/errors';
import { stripJsonComments } from '../core/jsonc';
import { TemplateError } from '../render/templates';

export interface BuildErrorView {
  /** "Template error", "Config error", "Bookmark source error", "Error". */
  kind: string;
  file?: string;
  line?: number;
  column?: number;
  /** The whole message (it names the file too, for the terminal). */
  message: string;
  /** Numbered source lines around `line`, the failing one marked with ">". */
  frame?: string;
}

/** Reads a file's text, or undefined if it cannot. */
export type ReadText = (file: string) => string | undefined;

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** `lines` numbered source lines each side of `line`, that one marked. */
export function codeFrame(text: string, line: number, around = 2): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - around);
  const last = Math.min(lines.length, line + around);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
  }
  return out.join('\n');
}

/** Whether `prefix` could be the start of a valid JSON text (what JSON.parse objects to is its end). */
function viableJson(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    return /end of JSON input/.test(message) || (at !== null && Number(at[1]) >= prefix.length);
  }
}

/**
 * The offset of the character that makes `text` invalid JSON, found by bisecting its prefixes: V8's messages
 * do not always give one ("Unexpected token '}', ..."…" is not valid JSON" has none). Undefined if it parses.
 */
export function jsonErrorOffset(text: string): number | undefined {
  if (viableJson(text)) {
    try {
      JSON.parse(text);
      return undefined;
    } catch {
      return text.length; // cut short: the end is where it goes wrong
    }
  }
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (viableJson(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

/**
 * Where in `text` a JSON error is: found in the text itself, else the "(line L, column C)" of newer Nodes.
 * `jsonc`: the text is read as JSON with comments (the config), so it is searched with its comments and
 * trailing commas blanked out (same length, same lines): a leading `// comment` is not the error (searching
 * the text as written put every config error at 1:1).
 */
function jsonPosition(
  message: string,
  text: string | undefined,
  jsonc: boolean,
): { line: number; column: number } | undefined {
  if (!/not valid JSON/.test(message)) return undefined;
  let offset: number | undefined;
  if (text !== undefined) {
    try {
      offset = jsonErrorOffset(jsonc ? stripJsonComments(text) : text);
    } catch {
      // a comment never closed: that error names its own place
    }
  }
  if (offset !== undefined && text !== undefined) return lineAndColumn(text, offset);
  const lc = /\(line (\d+),? column (\d+)\)/.exec(message);
  return lc ? { line: Number(lc[1]), column: Number(lc[2]) } : undefined;
}

/** The line a config key (the last part of `a.b.c`, or an unknown key's own name) first appears on. */
function keyLine(text: string, key: string): number | undefined {
  const at = text.search(new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`));
  return at < 0 ? undefined : lineAndColumn(text, at).line;
}

/** The file a config or source error names first: `FILE is not valid JSON`, `cannot read bookmark file FILE`. */
function namedFile(message: string, known: readonly string[]): string | undefined {
  return known.find((file) => message.includes(file));
}

/**
 * `knownFiles`: the config file and the bookmark files, so an error naming one of them is located in it.
 */
export function describeBuildError(error: unknown, knownFiles: readonly string[], read: ReadText): BuildErrorView {
  const message = error instanceof Error ? error.message : String(error);
  let view: BuildErrorView;
  if (error instanceof TemplateError) {
    view = { kind: 'Template error', file: error.file, line: error.line, column: error.column, message };
  } else if (error instanceof ConfigError || error instanceof SourceError) {
    const kind = error instanceof ConfigError ? 'Config error' : 'Bookmark source error';
    const file = namedFile(message, knownFiles);
    view = { kind, file, message };
    const text = file ? read(file) : undefined;
    const json = jsonPosition(message, text, error instanceof ConfigError);
    if (json) Object.assign(view, json);
    else if (text !== undefined) {
      // "  source.path: …" or "  (top level): not allowed here: unknown key "x"": the first key named that is
      // written in the file (a missing key is not: "title" missing because it was misspelt "titel").
      for (const [, path = '', problem = ''] of message.matchAll(/^ {2}(.+?): (.*)$/gm)) {
        const unknown = /unknown key "([^"]+)"/.exec(problem);
        const key =
          unknown?.[1] ??
          path
            .split('.')
            .filter((part) => !/^\d+$/.test(part))
            .at(-1);
        const line = key ? keyLine(text, key) : undefined;
        if (line) {
          view.line = line;
          break;
        }
      }
    }
  } else if (error instanceof RenderError) {
    view = { kind: 'Render error', message };
  } else if (error instanceof DigestError) {
    view = { kind: 'Error', message };
  } else {
    view = { kind: 'Unexpected error', message };
  }
  if (view.file && view.line) {
    const text = read(view.file);
    if (text !== undefined) view.frame = codeFrame(text, view.line);
  }
  return view;
}

/**
 * One line for the terminal: a template error's first line (the rest is its source excerpt), any other
 * message with its lines joined (a config error lists each bad key on a line of its own).
 */
export function errorLine(view: BuildErrorView): string {
  const lines = view.message.split('\n');
  const text = view.kind === 'Template error' ? (lines[0] ?? '') : lines.map((l) => l.trim()).join(' ');
  const where = view.file && view.line && !text.includes(`${view.file}:${view.line}`) ? ` (line ${view.line})` : '';
  return `${view.kind}: ${text}${where}`;
}
