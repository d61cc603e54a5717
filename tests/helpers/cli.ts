/**
 * Runs the real `pinboard-digest` command in a child process, as a user would: through the build in
 * lambda/cli/dist, made (or remade after an edit) before the command runs.
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../lambda/cli/bin.js');
export const BUILD = path.resolve(__dirname, '../../lambda/cli/build.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const { freshBuild } = require('../../lambda/cli/build-state.js') as { freshBuild: () => object | undefined };

/**
 * Builds the CLI unless its build is fresh: before every command, so one run while sources are being edited
 * still runs the build of what is there (bin.js would run them through tsx instead).
 */
export function ensureBuilt(): void {
  if (!freshBuild()) execFileSync(process.execPath, [BUILD, '--if-stale'], { stdio: 'ignore' });
}

export function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; node?: string },
): Promise<CliResult> {
  ensureBuilt();
  return new Promise((resolve) => {
    execFile(
      options.node ?? process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
