/**
 * What one CLI command is: its name, a line for the main help, its own help, the options it takes, and what
 * it runs. Commands live one per file under commands/ and are listed in commands/index.ts; main.ts parses
 * the arguments against the command's options and turns errors into clear lines.
 */
import type { ParseArgsConfig } from 'node:util';
import { DigestError } from '../core/errors';
import { ENV } from '../env';
import type { CommonFlags } from './context';
import type { Output } from './output';

/** A mistake in how the command was called: printed with a pointer to `--help`, exit status 2. */
export class UsageError extends DigestError {}

/** The person stopped the command (Ctrl-C at a question); the message says what was left as it was. */
export class Interrupted extends Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type FlagValues = Record<string, string | boolean | undefined>;

export interface CommandInput {
  /** The parsed options (common and the command's own). */
  values: FlagValues;
  positionals: string[];
  common: CommonFlags;
}

/** What `--help` and flag parsing need of a command, without loading it (lambda/cli/build.mjs writes them down). */
export interface CommandSpec {
  name: string;
  /** One line for the list of commands in `pinboard-digest --help`. */
  summary: string;
  /** `pinboard-digest NAME --help`: usage and the command's own options (the common ones are appended). */
  help: string;
  options: OptionSpec;
}

export interface Command extends CommandSpec {
  run(input: CommandInput, output: Output): Promise<number>;
}

export const COMMON_OPTIONS: OptionSpec = {
  config: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_HELP = `
Common options:
  --config FILE   config file (default ./digest.config.json, else the embedded example)
  --state DIR     local state directory (default ${ENV.stateDir} or .digest/)
  --help          show help for the command`;

/** An ISO 8601 date flag, normalized; a clear usage error otherwise. */
export function isoFlag(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw new UsageError(`--${name}: "${value}" is not a date (use ISO 8601, e.g. 2026-11-01)`);
  return new Date(ms).toISOString();
}

/** A string flag's value (parseArgs gives strings for `type: 'string'`). */
export const stringFlag = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
