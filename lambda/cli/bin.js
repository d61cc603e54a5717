#!/usr/bin/env node
// The `pinboard-digest` command. Runs the TypeScript sources through tsx, so there is no build step.
require('tsx/cjs');
require('./main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
