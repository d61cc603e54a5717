/**
 * The layer order of lambda/ and infra/, checked over the import graph of every source file: an import may
 * point to its own folder, to another folder of its layer, or inward (to an earlier layer), never outward;
 * and no two folders import each other, directly or round a longer circle. docs/ARCHITECTURE.md
 * ("Layer order") says why the order is this one. Besides, core and render (and the declarations in ports,
 * env and metrics) stay pure: no file system, no network.
 *
 * Every `import … from`, `export … from`, `require()` and `import()` specifier is read; relative ones are
 * resolved to the folder they land in (lambda/<folder>/…, lambda/<file>.ts, infra/…).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The layers, innermost first: the one statement of the order. A folder is a directory under lambda/, a file
 * directly in lambda/ (named without .ts), or infra/.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core', 'env', 'metrics'], // pure rules and types; the names of environment variables and metrics
  ['ports'], // the interfaces jobs talk through
  ['render'], // issue → email, pages, feeds: values only
  ['jobs'], // the use cases, over ports: never a concrete adapter, never the config file
  ['config'], // the config file's schema and loader
  ['adapters'], // the ports made real: files, DynamoDB, SES, SQS, S3, HTTP sources
  ['wiring'], // the composition root: config → adapters → the deps jobs take
  ['http', 'doctor', 'preview', 'deploy'], // hosts' libraries: the subscription app, the checks, the preview server, deploying
  ['cli', 'handlers'], // the entry points: the command line and the Lambda functions
  ['infra'], // the CDK stacks: read names and settings from everything, imported by nothing
];

/**
 * Imports that break the order today, each with the reason it stays for now: `file -> specifier`.
 * The files are being edited in other work; the import moves with that work.
 */
const ALLOWED = new Set<string>([
  // UsageError (exit code 2) is declared in cli/command.ts, which the CLI start-up work is changing: it moves
  // inward once that work lands
  'lambda/preview/watch.ts -> ../cli/command',
]);

const SPECIFIERS = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[\w*{}\s,$]*\s+from\s+['"]([^'"]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const withoutComments = (source: string) =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Every module a source file names. Comments are left out so a doc line naming a module is no import. */
function specifiersOf(source: string): string[] {
  const code = withoutComments(source);
  return SPECIFIERS.flatMap((re) => [...code.matchAll(re)].map((m) => m[1] ?? ''));
}

/** The folder a repository path (`/`-separated) belongs to, or undefined outside lambda/ and infra/. */
function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] === 'infra') return 'infra';
  if (parts[0] !== 'lambda' || parts.length < 2) return undefined;
  return parts.length === 2 ? (parts[1] ?? '').replace(/\.[cm]?[jt]s$/, '') : parts[1];
}

interface Edge {
  file: string;
  spec: string;
  from: string;
  to: string;
}

/** The imports of one folder into another, allow-listed ones left out. `files`: repository path → source. */
function edgesOf(files: Record<string, string>, allowed: ReadonlySet<string>): { edges: Edge[]; problems: string[] } {
  const edges: Edge[] = [];
  const problems: string[] = [];
  for (const [file, source] of Object.entries(files)) {
    const from = folderOf(file);
    if (from === undefined) continue;
    for (const spec of specifiersOf(source)) {
      if (!spec.startsWith('.') || allowed.has(`${file} -> ${spec}`)) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = folderOf(target);
      if (to === undefined) problems.push(`${file} imports ${spec} (${target}), which is in no layer`);
      else if (to !== from) edges.push({ file, spec, from, to });
    }
  }
  return { edges, problems };
}

/**
 * What breaks the order in `files`: a folder in no layer, an import outward (from an inner layer to an outer
 * one), and each circle of folders, with one import that makes each step of it.
 */
function layerViolations(
  files: Record<string, string>,
  layers: readonly (readonly string[])[] = LAYERS,
  allowed: ReadonlySet<string> = new Set(),
): string[] {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  const name = (folder: string) => (folder === 'infra' ? 'infra' : `lambda/${folder}`);
  const { edges, problems } = edgesOf(files, allowed);

  const unplaced = new Set(
    Object.keys(files)
      .map(folderOf)
      .filter((f): f is string => f !== undefined && !rank.has(f)),
  );
  for (const folder of [...unplaced].sort()) problems.push(`${name(folder)} is in no layer: add it to LAYERS`);

  for (const e of edges) {
    const from = rank.get(e.from);
    const to = rank.get(e.to);
    if (from !== undefined && to !== undefined && to > from) {
      problems.push(
        `${e.file} imports ${e.spec}: ${e.from} (layer ${from + 1}) may not import ${e.to} (layer ${to + 1}, further out)`,
      );
    }
  }

  // Circles: for each import a → b, a path from b back to a (breadth first, so the shortest) closes one.
  const out = new Map<string, Map<string, Edge>>();
  for (const e of edges) {
    const next = out.get(e.from) ?? new Map<string, Edge>();
    if (!next.has(e.to)) next.set(e.to, e);
    out.set(e.from, next);
  }
  const seen = new Set<string>();
  for (const [start, next] of [...out].sort(([a], [b]) => a.localeCompare(b))) {
    for (const first of [...next.values()].sort((a, b) => a.to.localeCompare(b.to))) {
      const back = new Map<string, Edge>([[first.to, first]]);
      const queue = [first.to];
      while (queue.length > 0 && !back.has(start)) {
        const at = queue.shift() as string;
        for (const e of out.get(at)?.values() ?? []) {
          if (back.has(e.to) && e.to !== start) continue;
          back.set(e.to, e);
          queue.push(e.to);
          if (e.to === start) break;
        }
      }
      if (!back.has(start) || start === first.to) continue;
      const steps: Edge[] = [];
      for (let at = start; ; ) {
        const e = back.get(at) as Edge;
        steps.unshift(e);
        if (e === first) break;
        at = e.from;
      }
      const key = [...new Set(steps.map((s) => s.from))].sort().join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(
        `circle ${[...steps.map((s) => s.from), start].join(' → ')}: ${steps.map((s) => `${s.file} imports ${s.spec}`).join('; ')}`,
      );
    }
  }
  return problems;
}

const FILE_SYSTEM = /^(node:)?fs(\/promises)?$|^(fs-extra|graceful-fs)$/;
const NETWORK =
  /^(node:)?(http|https|http2|net|tls|dgram|dns|child_process)(\/.*)?$|^(undici|node-fetch|axios|got|rss-parser)$|^@aws-sdk\/|^nodemailer$|^nodemailer\/lib\/(smtp|ses|sendmail|stream|json)-|^nodemailer\/lib\/fetch/;

/** The folders that must stay pure: values in, values out. */
const PURE = ['core', 'ports', 'render', 'env', 'metrics'];

/** What makes one file impure: an import of the file system or of a network module, or a call of fetch(). */
function impuritiesOf(source: string): string[] {
  const problems: string[] = [];
  for (const spec of specifiersOf(source)) {
    if (FILE_SYSTEM.test(spec)) problems.push(`imports the file system (${spec})`);
    else if (NETWORK.test(spec)) problems.push(`imports a network module (${spec})`);
  }
  if (/(^|[^.\w])fetch\s*\(/m.test(source.replace(/\/\*[\s\S]*?\*\//g, ''))) problems.push('calls fetch()');
  return problems;
}

/** Every source file of lambda/ and infra/ (built output left out), by repository path. */
function repositorySources(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const top of ['lambda', 'infra']) {
    for (const e of readdirSync(path.join(ROOT, top), { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !/\.[cm]?[jt]s$/.test(e.name) || e.name.endsWith('.d.ts')) continue;
      const file = path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/');
      if (/(^|\/)(dist|node_modules)\//.test(file)) continue;
      files[file] = readFileSync(path.join(ROOT, file), 'utf8');
    }
  }
  return files;
}

describe('architecture', () => {
  const sources = repositorySources();

  it('every folder of lambda/ and infra/ keeps the layer order, and no folders import each other in a circle', () => {
    const folders = new Set(Object.keys(sources).map(folderOf));
    expect([...folders].sort()).toEqual(LAYERS.flat().sort());
    expect(layerViolations(sources, LAYERS, ALLOWED)).toEqual([]);
  });

  it('every allow-listed import is still there and still breaks the order (a stale entry would hide the next one)', () => {
    const without = (entry: string) => new Set([...ALLOWED].filter((e) => e !== entry));
    const base = layerViolations(sources, LAYERS, ALLOWED).length;
    expect([...ALLOWED].filter((entry) => layerViolations(sources, LAYERS, without(entry)).length === base)).toEqual(
      [],
    );
  });

  for (const folder of PURE) {
    it(`lambda/${folder} imports no file system or network module`, () => {
      const files = Object.keys(sources).filter((f) => folderOf(f) === folder);
      expect(files.length).toBeGreaterThan(0);
      expect(files.flatMap((f) => impuritiesOf(sources[f] ?? '').map((p) => `${f}: ${p}`))).toEqual([]);
    });
  }
});

describe('the layer check', () => {
  const layers = [['core'], ['ports'], ['jobs', 'http'], ['cli']];

  it('passes imports inward, within a folder, and between folders of one layer', () => {
    expect(
      layerViolations(
        {
          'lambda/core/a.ts': "import { b } from './b';",
          'lambda/ports/p.ts': "import type { A } from '../core/a';",
          'lambda/jobs/j.ts': "import type { P } from '../ports/p';\nimport { h } from '../http/h';",
          'lambda/http/h.ts': "import { a } from '../core/a';",
          'lambda/cli/sub/c.ts': "import { j } from '../../jobs/j';",
        },
        layers,
      ),
    ).toEqual([]);
  });

  it('fails an import outward, naming the file and the import, however the module is named', () => {
    const outward = [
      "import { x } from '../ports/p';",
      "import type { X } from '../ports/p';",
      "export { x } from '../jobs/j';",
      "export * from '../http/h';",
      "const x = require('../cli/c');",
      "const x = await import('../cli/c');",
      "import {\n  x,\n  type Y,\n} from '../ports/p';",
    ];
    for (const line of outward) {
      const spec = /['"]([^'"]+)['"]/.exec(line)?.[1] ?? '';
      expect(layerViolations({ 'lambda/core/a.ts': line }, layers)).toEqual([
        expect.stringMatching(
          new RegExp(`^lambda/core/a\\.ts imports ${spec.replace(/\./g, '\\.')}: core \\(layer 1\\) may not import`),
        ),
      ]);
    }
    expect(layerViolations({ 'lambda/jobs/j.ts': "import { c } from '../cli/commands/send';" }, layers)).toEqual([
      'lambda/jobs/j.ts imports ../cli/commands/send: jobs (layer 3) may not import cli (layer 4, further out)',
    ]);
  });

  it('reads the folder of a file in lambda/ and of infra/, and ignores comments and packages', () => {
    const files = {
      'lambda/core/a.ts': [
        "// import { x } from '../cli/c';",
        "/* import { x } from '../cli/c'; */",
        "import { z } from 'zod';",
        "const url = 'https://example.com'; import { y } from './b';",
      ].join('\n'),
      'lambda/ports/p.ts': "import { config } from '../cli';",
      'infra/stack.ts': "import { a } from '../lambda/core/a';",
      'lambda/cli.ts': "import { s } from '../infra/stack';",
    };
    expect(layerViolations(files, [...layers, ['infra']])).toEqual([
      'lambda/ports/p.ts imports ../cli: ports (layer 2) may not import cli (layer 4, further out)',
      'lambda/cli.ts imports ../infra/stack: cli (layer 4) may not import infra (layer 5, further out)',
    ]);
  });

  it('fails a circle between folders of one layer, naming each import of it', () => {
    expect(
      layerViolations(
        {
          'lambda/jobs/j.ts': "import { h } from '../http/h';",
          'lambda/http/h.ts': "import { j } from '../jobs/j';",
        },
        layers,
      ),
    ).toEqual(['circle http → jobs → http: lambda/http/h.ts imports ../jobs/j; lambda/jobs/j.ts imports ../http/h']);
  });

  it('finds a longer circle once, and the one a single import outward closes', () => {
    const problems = layerViolations(
      {
        'lambda/core/a.ts': "import { j } from '../jobs/j';",
        'lambda/jobs/j.ts': "import { p } from '../ports/p';",
        'lambda/ports/p.ts': "import { a } from '../core/a';",
      },
      layers,
    );
    expect(problems).toEqual([
      'lambda/core/a.ts imports ../jobs/j: core (layer 1) may not import jobs (layer 3, further out)',
      'circle core → jobs → ports → core: lambda/core/a.ts imports ../jobs/j; lambda/jobs/j.ts imports ../ports/p; lambda/ports/p.ts imports ../core/a',
    ]);
  });

  it('names a folder that is in no layer, and an import that lands outside lambda/ and infra/', () => {
    expect(
      layerViolations(
        {
          'lambda/extras/x.ts': "import { a } from '../core/a';",
          'lambda/core/a.ts': "import p from '../../package.json';",
        },
        layers,
      ),
    ).toEqual([
      'lambda/core/a.ts imports ../../package.json (package.json), which is in no layer',
      'lambda/extras is in no layer: add it to LAYERS',
    ]);
  });

  it('leaves out an allow-listed import, and only that one', () => {
    const files = { 'lambda/core/a.ts': "import { j } from '../jobs/j';\nimport { c } from '../cli/c';" };
    expect(layerViolations(files, layers, new Set(['lambda/core/a.ts -> ../jobs/j']))).toEqual([
      'lambda/core/a.ts imports ../cli/c: core (layer 1) may not import cli (layer 4, further out)',
    ]);
  });

  it('the purity check sees each way a file system or network module can be named', () => {
    const source = [
      "import { readFile } from 'node:fs/promises';",
      "const fs = require('fs');",
      "const http = await import('node:http');",
      "import { SESClient } from '@aws-sdk/client-ses';",
      "import nodemailer from 'nodemailer';",
      "const body = await fetch('https://example.com');",
      "import MailComposer from 'nodemailer/lib/mail-composer';",
      "import path from 'node:path';",
      '// import { readFileSync } from "node:fs";',
    ].join('\n');
    expect(impuritiesOf(source)).toEqual([
      'imports the file system (node:fs/promises)',
      'imports a network module (@aws-sdk/client-ses)',
      'imports a network module (nodemailer)',
      'imports the file system (fs)',
      'imports a network module (node:http)',
      'calls fetch()',
    ]);
  });
});
