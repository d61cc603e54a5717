/**
 * Runs the real `pinboard-digest` command in a child process, as a user would: through the build in
 * lambda/cli/dist, made (or remade after an edit) before the first command of a test file runs.
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

let built = false;
/** Builds the CLI unless its build is fresh (the build script checks), once per test process. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [BUILD, '--if-stale'], { stdio: 'ignore' });
  built = true;
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
