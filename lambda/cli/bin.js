#!/usr/bin/env node
// The `pinboard-digest` command. Runs the build in lambda/cli/dist (lambda/cli/build.mjs: `npm ci` makes it,
// `npm run build` after an edit) while it is newer than every file it was built from; otherwise, or with
// DIGEST_CLI_FROM_SOURCE=1, the TypeScript sources through tsx, which compiles them at each start.
const argv = process.argv.slice(2);

// Heap hints for `send` (README, "Figures"): a send makes about 1 MB of short-lived garbage per message.
// Left to its defaults, V8 grows the young generation to 2 × 64 MB (Node 24; 2 × 16 MB on Node 20) and lets
// promoted message buffers pile up in the old generation between full collections: a 100,000-subscriber
// send peaked at 276–374 MB. Keeping the young generation at its starting size and starting a full
// collection once the old generation is 15% over what was live keeps a send near 130 MB however long the
// list, for a little more GC time. Both flags are read by V8 whenever it sizes the heap, so setting them
// here, before anything is loaded, takes effect. Other commands make little garbage and start faster
// without them (fewer young collections while modules load). Heap flags given on the command line or in
// NODE_OPTIONS are left alone.
const heapFlagGiven = /semi-space|heap-growing|old-space|heap-size/.test(
  `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`,
);
if (argv[0] === 'send' && !heapFlagGiven) {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=15');
}

const fs = require('node:fs');
const path = require('node:path');

/**
 * Requires the build's cli.js. Node 22.1 and later keep the compiled code of every module loaded (cli.js and
 * the packages it loads) for the next start. Node 20 has no such cache: there cli.js is compiled with V8's
 * code cache of the same command's last start, kept in dist/cache/ (written after a start that had none).
 */
function loadBuild(command) {
  const file = path.join(__dirname, 'dist', 'cli.js');
  const nodeModule = require('node:module');
  if (nodeModule.enableCompileCache) {
    nodeModule.enableCompileCache();
    return { cli: require(file), done: () => {} };
  }
  const vm = require('node:vm');
  const cacheFile = path.join(__dirname, 'dist', 'cache', `${process.versions.v8}-${command}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {}
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, nodeModule.createRequire(file), mod, file, path.dirname(file));
  const done = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    } catch {}
  };
  return { cli: mod.exports, done };
}

async function run() {
  const manifest = process.env.DIGEST_CLI_FROM_SOURCE === '1' ? undefined : require('./build-state.js').freshBuild();
  if (manifest) {
    const help = !manifest.commands.some((c) => c.name === argv[0]) || argv.includes('--help') || argv.includes('-h');
    const { cli, done } = loadBuild(help ? 'help' : argv[0]);
    const code = await cli.main(argv, undefined, cli.lazyCommands(manifest.commands));
    done();
    return code;
  }
  // When tsx has to compile a file (first run, or after an edit), esbuild's synchronous API would start a
  // worker thread, with a V8 heap of its own (16 MB), that stays for the whole run; with this it runs the
  // esbuild binary as a short-lived child process instead.
  process.env.ESBUILD_WORKER_THREADS ??= '0';
  require('tsx/cjs');
  return require('./main.ts').main(argv);
}

run().then((code) => {
  process.exitCode = code;
});
