/**
 * Dependencies point inward: lambda/core is pure and lambda/render returns values. Neither may import an
 * adapter (or anything further out), the file system or a network client. A simple import-graph check
 * over the sources: every `import`, `export … from`, `require()` and `import()` specifier is read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const LAMBDA = path.resolve(__dirname, '../../lambda');

/** The layers checked, and the folders of lambda/ each may import from. */
const LAYERS: Record<string, string[]> = {
  core: ['core', 'ports'],
  render: ['render', 'core', 'ports'],
};

const FILE_SYSTEM = /^(node:)?fs(\/promises)?$|^(fs-extra|graceful-fs)$/;
const NETWORK =
  /^(node:)?(http|https|http2|net|tls|dgram|dns|child_process)(\/.*)?$|^(undici|node-fetch|axios|got|rss-parser)$|^@aws-sdk\/|^nodemailer$|^nodemailer\/lib\/(smtp|ses|sendmail|stream|json)-|^nodemailer\/lib\/fetch/;

const SPECIFIERS = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[\w*{}\s,$]*\s+from\s+['"]([^'"]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module a source file names. Comments are left out so a doc line naming a module is no import. */
function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return SPECIFIERS.flatMap((re) => [...code.matchAll(re)].map((m) => m[1] ?? ''));
}

/** What is wrong with one file of `layer`: each forbidden import, and any use of the global fetch. */
function violationsOf(file: string, source: string, layer: string): string[] {
  const allowed = LAYERS[layer] ?? [];
  const problems: string[] = [];
  for (const spec of specifiersOf(source)) {
    if (spec.startsWith('.')) {
      const target = path.relative(LAMBDA, path.resolve(path.dirname(file), spec));
      const top = target.split(path.sep)[0] ?? '';
      if (target.startsWith('..') || !allowed.includes(top)) problems.push(`imports ${spec} (lambda/${target})`);
    } else if (FILE_SYSTEM.test(spec)) {
      problems.push(`imports the file system (${spec})`);
    } else if (NETWORK.test(spec)) {
      problems.push(`imports a network module (${spec})`);
    }
  }
  if (/(^|[^.\w])fetch\s*\(/m.test(source.replace(/\/\*[\s\S]*?\*\//g, ''))) problems.push('calls fetch()');
  return problems;
}

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs|cjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('architecture', () => {
  for (const layer of Object.keys(LAYERS)) {
    it(`lambda/${layer} imports no adapter, file system or network module`, () => {
      const files = sourcesOf(path.join(LAMBDA, layer));
      expect(files.length).toBeGreaterThan(2);
      const problems = files.flatMap((file) =>
        violationsOf(file, readFileSync(file, 'utf8'), layer).map((p) => `${path.relative(LAMBDA, file)}: ${p}`),
      );
      expect(problems).toEqual([]);
    });
  }

  it('the check sees each way a forbidden module can be named', () => {
    const file = path.join(LAMBDA, 'render/example.ts');
    const source = [
      "import { writeFileAtomic } from '../adapters/fs-util';",
      "import type { App } from '../wiring';",
      "import { readFile } from 'node:fs/promises';",
      "export { x } from '../jobs/deliver-issue';",
      "const fs = require('fs');",
      "const http = await import('node:http');",
      "import { SESClient } from '@aws-sdk/client-ses';",
      "import nodemailer from 'nodemailer';",
      "const body = await fetch('https://example.com');",
      "import type { Bookmark } from '../core/model';",
      "import MailComposer from 'nodemailer/lib/mail-composer';",
      "import path from 'node:path';",
      '// import { nothing } from "../adapters/commented-out";',
    ].join('\n');
    expect(violationsOf(file, source, 'render')).toEqual([
      'imports ../adapters/fs-util (lambda/adapters/fs-util)',
      'imports ../wiring (lambda/wiring)',
      'imports the file system (node:fs/promises)',
      'imports a network module (@aws-sdk/client-ses)',
      'imports a network module (nodemailer)',
      'imports ../jobs/deliver-issue (lambda/jobs/deliver-issue)',
      'imports the file system (fs)',
      'imports a network module (node:http)',
      'calls fetch()',
    ]);
    expect(
      violationsOf(path.join(LAMBDA, 'core/example.ts'), "import { x } from '../render/renderer';", 'core'),
    ).toEqual(['imports ../render/renderer (lambda/render/renderer)']);
  });
});
