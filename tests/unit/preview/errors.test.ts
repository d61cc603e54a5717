import { ConfigError, SourceError } from '../../../lambda/core/errors';
import {
  codeFrame,
  describeBuildError,
  errorLine,
  jsonErrorOffset,
  lineAndColumn,
} from '../../../lambda/preview/errors';
import { checkHandlebars, TemplateError } from '../../../lambda/render/templates';

const files = (entries: Record<string, string>) => (file: string) => entries[file];

/** What JSON.parse says about `text`, as the config and bookmark loaders pass it on. */
function jsonMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the text parses');
}

describe('describeBuildError', () => {
  it('a template error: its file and line, and the numbered lines around, the failing one marked', () => {
    const source = 'one\ntwo\n{{#if x}\nfour\nfive\nsix\n';
    let error: unknown;
    try {
      checkHandlebars(source, '/p/templates/digest.mjml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const view = describeBuildError(error, [], files({ '/p/templates/digest.mjml': source }));
    expect(view).toMatchObject({ kind: 'Template error', file: '/p/templates/digest.mjml', line: 3 });
    expect(view.frame).toBe(['  1 | one', '  2 | two', '> 3 | {{#if x}', '  4 | four', '  5 | five'].join('\n'));
    expect(errorLine(view)).toBe(
      'Template error: /p/templates/digest.mjml:3: Handlebars syntax error: did not expect a character that cannot start an expression',
    );
  });

  it('a config that is not JSON: the line and column of the character that breaks it', () => {
    const text = '{\n  "title": "x",\n  "from": }\n';
    const error = new ConfigError(`/p/digest.config.json is not valid JSON: ${jsonMessage(text)}`);
    const view = describeBuildError(error, ['/p/digest.config.json'], files({ '/p/digest.config.json': text }));
    expect(view).toMatchObject({ kind: 'Config error', file: '/p/digest.config.json', line: 3 });
    expect(view.frame).toContain('> 3 |   "from": }');

    expect(view.column).toBe(11);
  });

  it('a commented config (as init writes it) that is not JSON: its line, not 1:1 at the first comment', () => {
    const text =
      '// My digest\n{\n  /* the title */ "title": "x",\n  "siteUrl": "https://x.example"\n  "from": "a@b.c",\n}\n';
    const error = new ConfigError('/p/digest.config.json is not valid JSON: Unexpected string');
    const view = describeBuildError(error, ['/p/digest.config.json'], files({ '/p/digest.config.json': text }));
    expect(view).toMatchObject({ line: 5, column: 3 });
    expect(view.frame).toContain('> 5 |   "from": "a@b.c",');
    // A bookmark file is plain JSON: there a comment is the error.
    const bookmarks = '// not allowed\n[]\n';
    const source = new SourceError('/p/b.json is not valid JSON: Unexpected token');
    expect(describeBuildError(source, ['/p/b.json'], files({ '/p/b.json': bookmarks }))).toMatchObject({
      line: 1,
      column: 1,
    });
  });

  it('finds the character that breaks JSON whatever the message says', () => {
    expect(jsonErrorOffset('{"a": 1}')).toBeUndefined();
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('{"a": 1 "b": 2}')).toBe(8);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a": [1, 2')).toBe(11);
    expect(jsonErrorOffset('{"a": "x\ny"}')).toBe(8);
  });

  it('a misspelt config key: the line of the key as written (not of the missing one), the whole message on one line', () => {
    const text = '{\n  "from": "x",\n  "titel": "y"\n}\n';
    const error = new ConfigError(
      '/p/digest.config.json is not a valid config:\n  title: Invalid input: expected string, received undefined\n  (top level): not allowed here: unknown key "titel"',
    );
    const view = describeBuildError(error, ['/p/digest.config.json'], files({ '/p/digest.config.json': text }));
    expect(view).toMatchObject({ kind: 'Config error', file: '/p/digest.config.json', line: 3 });
    expect(errorLine(view)).toBe(
      'Config error: /p/digest.config.json is not a valid config: title: Invalid input: expected string, received undefined (top level): not allowed here: unknown key "titel" (line 3)',
    );
  });

  it('a bad value: the line of the last part of its key path', () => {
    const text = '{\n  "source": {\n    "type": "file",\n    "path": 3\n  }\n}\n';
    const error = new ConfigError(
      '/p/c.json is not a valid config:\n  source.path: Invalid input: expected string, received number',
    );
    expect(describeBuildError(error, ['/p/c.json'], files({ '/p/c.json': text }))).toMatchObject({ line: 4 });
  });

  it('a bookmark file that is not JSON names that file and its line', () => {
    const text = '[\n  {"href": "https://a.example/"},\n  {"href": \n';
    const error = new SourceError(`/p/bookmarks.json is not valid JSON: ${jsonMessage(text)}`);
    const view = describeBuildError(error, ['/p/c.json', '/p/bookmarks.json'], files({ '/p/bookmarks.json': text }));
    expect(view).toMatchObject({ kind: 'Bookmark source error', file: '/p/bookmarks.json' });
    expect(view.line).toBeGreaterThanOrEqual(3);
  });

  it('an error of unknown kind keeps its message and claims no place', () => {
    const view = describeBuildError(new Error('boom'), [], files({}));
    expect(view).toEqual({ kind: 'Unexpected error', message: 'boom' });
    expect(errorLine(view)).toBe('Unexpected error: boom');
  });
});

describe('lineAndColumn and codeFrame', () => {
  it('count from 1 and stop at the ends of the file', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 99)).toEqual({ line: 1, column: 3 });
    expect(codeFrame('a\nb', 1)).toBe('> 1 | a\n  2 | b');
    const long = Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join('\n');
    expect(codeFrame(long, 10, 1)).toBe('   9 | l9\n> 10 | l10\n  11 | l11');
  });
});
