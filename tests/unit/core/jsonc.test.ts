import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config';
import { ConfigError } from '../../../lambda/core/errors';
import { JsoncError, parseJsonc, stripJsonComments } from '../../../lambda/core/jsonc';

describe('JSON with comments', () => {
  it('drops line and block comments and trailing commas, and keeps every other character in place', () => {
    const text = [
      '// the digest',
      '{',
      '  "title": "A // not a comment", /* block',
      '  still the block */ "url": "https://x.example/*y*/",',
      '  "list": [1, 2, /* two */ ],',
      '  "escaped": "quote \\" // still a string",',
      '}',
    ].join('\n');
    const stripped = stripJsonComments(text);
    expect(stripped).toHaveLength(text.length);
    expect(stripped.split('\n')).toHaveLength(text.split('\n').length);
    expect(parseJsonc(text)).toEqual({
      title: 'A // not a comment',
      url: 'https://x.example/*y*/',
      list: [1, 2],
      escaped: 'quote " // still a string',
    });
  });

  it('reads a byte-order mark and CRLF lines', () => {
    expect(parseJsonc('\uFEFF{\r\n  "a": 1 // one\r\n}\r\n')).toEqual({ a: 1 });
  });

  it('names the line and column of a syntax error in the file as written, comments counted', () => {
    const text = '{\n  // a comment before\n  "a": 1\n  "b": 2\n}';
    expect(() => parseJsonc(text)).toThrow(JsoncError);
    expect(() => parseJsonc(text)).toThrow(/\(line 4, column 3\)$/);
    expect(() => parseJsonc('{ "a": 1,')).toThrow(/line 1, column 10/);
  });

  it('refuses a block comment that is never closed, saying where it opened', () => {
    expect(() => parseJsonc('{\n  "a": 1 /* open\n}')).toThrow(/comment opened at line 2, column 10 is never closed/);
  });

  it('is what loadConfig reads: a commented config loads, a broken one is a ConfigError naming file and line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-jsonc-'));
    const file = path.join(dir, 'digest.config.json');
    writeFileSync(
      file,
      `{
  // What readers see
  "title": "Commented", /* the name */
  "siteUrl": "https://t.example",
  "from": "T <t@t.example>",
  "source": { "type": "pinboard-rss", "user": "me" },
  "transport": { "type": "outbox", "dir": "outbox" }, // last key, trailing comma
}
`,
    );
    expect(loadConfig(file).config.title).toBe('Commented');
    writeFileSync(file, '{\n  // oops\n  "title": "x",,\n}');
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(new RegExp(`${file} is not valid JSON: .*line 3, column 16`));
  });
});
