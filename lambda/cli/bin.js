#!/usr/bin/env node
// The `pinboard-digest` command. Runs the TypeScript sources through tsx, so there is no build step.

// Heap hints (README, "Figures"): a send makes about 1 MB of short-lived garbage per message. Left to its
// defaults, V8 grows the young generation to 2 × 64 MB (Node 24; 2 × 16 MB on Node 20) and lets promoted
// message buffers pile up in the old generation between full collections: a 100,000-subscriber send
// peaked at 276–374 MB. Keeping the young generation at its starting size and starting a full collection
// once the old generation is 15% over what was live keeps a send near 130 MB however long the list, for a
// little more GC time. Both flags are read by V8 whenever it sizes the heap, so setting them here, before
// anything is loaded, takes effect. Heap flags given on the command line or in NODE_OPTIONS are left alone.
const heapFlagGiven = /semi-space|heap-growing|old-space|heap-size/.test(
  `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`,
);
if (!heapFlagGiven) {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=15');
}
// When tsx has to compile a file (first run, or after an edit), esbuild's synchronous API would start a
// worker thread, with a V8 heap of its own (16 MB), that stays for the whole run; with this it runs the
// esbuild binary as a short-lived child process instead.
process.env.ESBUILD_WORKER_THREADS ??= '0';

require('tsx/cjs');
require('./main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
