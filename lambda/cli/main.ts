/** The `pinboard-digest` command line: parses arguments, runs one command, turns errors into clear lines. */
import { parseArgs } from 'node:util';
import { DigestError } from '../core/errors';
import { ENV } from '../env';
import { COMMON_HELP, COMMON_OPTIONS, type Command, type FlagValues, Interrupted, UsageError } from './command';
import { loadCommands } from './commands';
import { consoleOutput, type Output } from './output';

export { lazyCommands, loadCommands } from './commands';

function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `pinboard-digest: a link-digest newsletter from your Pinboard bookmarks.

Usage: pinboard-digest <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
${COMMON_HELP}

Environment: ${ENV.pinboardToken}, ${ENV.signingSecret}, ${ENV.pinboardApiUrl}, ${ENV.pinboardFeedsUrl}, ${ENV.stateDir}.`;
}

/**
 * Runs one command. `commands`: every command loaded (from the sources), or, from the build, stand-ins made
 * from the specs by `lazyCommands` that load only the command that runs.
 */
export async function main(
  argv: string[],
  output: Output = consoleOutput,
  commands: readonly Command[] = loadCommands(),
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    output.out(mainHelp(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    output.err(`pinboard-digest: unknown command "${name}"\n`);
    output.err(mainHelp(commands));
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    output.out(`${command.help}\n${COMMON_HELP}`);
    return 0;
  }

  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...command.options },
    });
    const flags = values as FlagValues;
    const common = {
      config: typeof flags.config === 'string' ? flags.config : undefined,
      state: typeof flags.state === 'string' ? flags.state : undefined,
    };
    return await command.run({ values: flags, positionals, common }, output);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      output.err(`pinboard-digest ${name}: ${(error as Error).message}`);
      output.err(`Try: pinboard-digest ${name} --help`);
      return 2;
    }
    // Ctrl-C at a question: stopped, with the status a shell gives a command Ctrl-C stops.
    if (error instanceof Interrupted) {
      output.err(`\npinboard-digest ${name}: ${error.message}`);
      return 130;
    }
    if (error instanceof DigestError) {
      output.err(`pinboard-digest ${name} failed: ${error.name}: ${error.message}`);
      output.err('Nothing was lost: state only moves forward when the work it records is done.');
      return 1;
    }
    output.err(`pinboard-digest ${name} failed unexpectedly: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
