/**
 * JSON with comments (JSONC, as VS Code and tsconfig.json read it): `// line` and `/* block *\/` comments and
 * trailing commas are blanked out with spaces, newlines kept, so every character of what remains stays at its
 * place: an error position from JSON.parse points into the file as written. Text inside strings is never
 * touched. Pure: no I/O.
 */

export class JsoncError extends Error {}

/** `text` with comments, trailing commas and a byte-order mark turned into spaces (same length, same lines). */
export function stripJsonComments(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n' && out[i] !== '\r') out[i] = ' ';
  };
  if (text.charCodeAt(0) === 0xfeff) out[0] = ' ';
  /** Index of the last comma seen outside strings with only blanks and comments after it, or -1. */
  let pendingComma = -1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      pendingComma = -1;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        if (text[i] === '\n') break; // an unterminated string: leave it for JSON.parse to name
        i++;
      }
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) {
        const { line, column } = lineAndColumn(text, i);
        throw new JsoncError(`a /* comment opened at line ${line}, column ${column} is never closed with */`);
      }
      blank(i, end + 2);
      i = end + 2;
    } else if (c === ',') {
      // Two commas in a row are a mistake JSON.parse should name, not a trailing comma.
      pendingComma = pendingComma === -1 ? i : -1;
      i++;
    } else if ((c === '}' || c === ']') && pendingComma !== -1) {
      out[pendingComma] = ' ';
      pendingComma = -1;
      i++;
    } else {
      if (c !== undefined && !/\s/.test(c)) pendingComma = -1;
      i++;
    }
  }
  return out.join('');
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * JSON.parse of JSONC text. A syntax error says where, as line and column of the file as written (Node 20's
 * messages give only a character position; newer ones add their own line and column, replaced by these).
 */
export function parseJsonc(text: string): unknown {
  const json = stripJsonComments(text);
  try {
    return JSON.parse(json);
  } catch (cause) {
    const message = (cause as Error).message.replace(/\s*\(line \d+ column \d+\)\s*$/, '');
    const position = /at position (\d+)/.exec(message);
    const at = position ? Number(position[1]) : /end of JSON input/i.test(message) ? json.length : undefined;
    if (at === undefined) throw new JsoncError(message, { cause });
    const { line, column } = lineAndColumn(text, at);
    throw new JsoncError(`${message} (line ${line}, column ${column})`, { cause });
  }
}
