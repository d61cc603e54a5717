#!/usr/bin/env node
// Builds the `pinboard-digest` command ahead of time, so a start runs JavaScript instead of compiling the
// TypeScript through tsx: `npm ci` runs it (the package's `prepare` script), `npm run build` after an edit;
// `--if-stale` builds only when the build is missing or older than a file it was built from. bin.js runs
// the build only while it is fresh (build-state.js); otherwise (after an edit, or with no build, as after
// `npm ci --ignore-scripts`) it runs the sources through tsx. `npm ci --omit=dev` builds too: tsx brings
// esbuild. Writes lambda/cli/dist/:
//  - cli.js: lambda/cli/main.ts with what it imports from lambda/, and the packages every command that
//    reads a config or writes a mail loads, in one CommonJS file for Node 20 and later. A command's modules
//    are evaluated only when that command runs (commands/index.ts requires each one when asked).
//  - manifest.json: each command's name, summary, help and options (so `--help` and flag parsing load no
//    command), and the files the build was made from with the time it started, for build-state.js.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { DIST, ROOT, freshBuild } = require('./build-state.js');
const HERE = path.dirname(fileURLToPath(import.meta.url));

if (process.argv.includes('--if-stale') && freshBuild()) process.exit(0);
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  // No esbuild (an install without tsx's dependencies): no build; the command runs from the sources.
  console.log('pinboard-digest: esbuild is not installed, so the CLI runs its TypeScript sources through tsx');
  process.exit(0);
}

/**
 * Bundled in: loaded by nearly every command (the config's schema, the confirmation and issue mails), and
 * from one file they load faster than from their hundreds. Every other package stays in node_modules.
 */
const BUNDLED = ['zod', 'handlebars', 'nodemailer'];

/**
 * Required where one of their exports is first used, not where the module importing them is evaluated:
 * every command wires the DynamoDB store, the SES mailer, the S3 publisher and their probes, but only a
 * config that picks them calls them, and the AWS SDK clients cost a start 100–150 ms; the network and
 * worker modules of Node are needed only by the commands that fetch, serve or compile MJML. This works for
 * names imported by name (`import { X } from`), which the bundle reads as `pkg.X` where X is used; a
 * default or namespace import still loads the package at once (esbuild copies its exports), as before.
 */
const LAZY = /\brequire\("(@aws-sdk\/[^"]+|node:(?:http|https|net|tls|dns|dns\/promises|worker_threads))"\)/g;

const bundledOrExternal = {
  name: 'bundled-or-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.includes(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * A source file's `__dirname` stays its own folder (config, templates and init find files beside them):
 * each use becomes a constant computed from where cli.js is, so the checkout may move after a build.
 */
const ownDirname = {
  name: 'own-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const rel = (p) => JSON.stringify(path.relative(DIST, p).split(path.sep).join('/'));
      const header =
        `const __ownDirname = __cliPath(${rel(path.dirname(args.path))});` +
        `const __ownFilename = __cliPath(${rel(args.path)});`;
      const contents = source.replace(/\b__dirname\b/g, '__ownDirname').replace(/\b__filename\b/g, '__ownFilename');
      return { contents: header + contents, loader: 'ts' };
    });
  },
};

/**
 * At the top of cli.js. `__lazyModule`: a stand-in for a package's exports that requires the package when
 * a property is first read, and answers everything from it after that.
 */
const BANNER = `'use strict';
const __cliPath = (rel) => require('node:path').join(__dirname, rel);
const __lazyModule = (load) => {
  let loaded;
  const real = () => (loaded ??= load());
  return new Proxy({}, {
    get: (_, key) => real()[key],
    has: (_, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), key);
      return d && { ...d, configurable: true };
    },
  });
};`;

const tmp = `${DIST}.${process.pid}.tmp`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const startedAt = Date.now();
const result = await build({
  entryPoints: [path.join(HERE, 'main.ts')],
  outfile: path.join(tmp, 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: BANNER },
  plugins: [bundledOrExternal, ownDirname],
  metafile: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});
const [output] = result.outputFiles;
writeFileSync(output.path, output.text.replace(LAZY, '__lazyModule(() => require("$1"))'));

// The commands' specs, read from the build itself (every command is loaded once, here, not at each start).
const cli = require(path.join(tmp, 'cli.js'));
const commands = cli.loadCommands().map(({ name, summary, help, options }) => ({ name, summary, help, options }));
const posix = (p) => path.relative(ROOT, path.resolve(p)).split(path.sep).join('/');
const sources = [
  ...Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .map(posix),
  posix(path.join(HERE, 'build.mjs')),
  ...BUNDLED.map((name) => posix(path.join(ROOT, 'node_modules', name, 'package.json'))),
].sort();
writeFileSync(
  path.join(tmp, 'manifest.json'),
  `${JSON.stringify({ builtAt: startedAt, node: process.version, commands, sources }, null, 1)}\n`,
);

// In place at once: a CLI starting meanwhile sees the old build, none (and runs the sources), or the new one.
const old = `${DIST}.${process.pid}.old`;
try {
  renameSync(DIST, old);
} catch {}
try {
  renameSync(tmp, DIST);
} catch (error) {
  // Another build of the same sources landed first.
  if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  rmSync(tmp, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
console.log(
  `pinboard-digest: built lambda/cli/dist (${sources.length} files, ${commands.length} commands, ${Date.now() - startedAt} ms)`,
);
