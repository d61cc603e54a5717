/** The `pinboard-digest` command line: parses arguments, runs one command, turns errors into clear lines. */
import { parseArgs } from 'node:util';
import { ENV } from '../config';
import { DigestError } from '../core/errors';
import { previewCommand } from './commands/preview';
import { sendCommand } from './commands/send';
import { DEFAULT_PORT, serveCommand } from './commands/serve';
import { STATUSES, subscribersCommand, UsageError } from './commands/subscribers';
import { consoleOutput, type Output } from './output';

const COMMON = `
Common options:
  --config FILE   config file (default ./digest.config.json, else the embedded example)
  --state DIR     local state directory (default ${ENV.stateDir} or .digest/)
  --help          show help for the command`;

const HELP: Record<string, string> = {
  main: `pinboard-digest: a link-digest newsletter from your Pinboard bookmarks.

Usage: pinboard-digest <command> [options]

Commands:
  preview       compose the next issue into files, without sending or changing state
  send          compose the next issue (or resume an unfinished one) and deliver it
  subscribers   add, remove, unsubscribe, import, list or export subscribers
  serve         run the sign-up page and the confirm and unsubscribe links on 127.0.0.1
${COMMON}

Environment: ${ENV.pinboardToken}, ${ENV.signingSecret}, ${ENV.pinboardApiUrl}, ${ENV.pinboardFeedsUrl}, ${ENV.stateDir}.`,
  preview: `Usage: pinboard-digest preview [--config F] [--since ISO] [--out DIR]

Composes the next issue and writes DIR/digest.html, digest.txt, digest.json and digest.eml
(addressed to a made-up sample reader). Sends nothing and changes no state.

  --since ISO     start the window here instead of after the last issue
  --out DIR       where to write the files (default out/)
${COMMON}`,
  send: `Usage: pinboard-digest send [--config F] [--since ISO] [--dry-run]

Composes the next issue, or resumes one that was interrupted, and delivers it to every active
subscriber through the configured transport. Exit 0 only if every delivery succeeded or was
refused for good and recorded; otherwise run it again to resume (nobody gets an issue twice).

  --since ISO     start the window here instead of after the last issue
  --dry-run       compose and report, send nothing, change no state
${COMMON}`,
  subscribers: `Usage: pinboard-digest subscribers <action>

  add EMAIL [--name N] [--confirmed]
                         send EMAIL a confirmation link (double opt-in); with --confirmed, add it
                         active at once (only with the reader's consent)
  remove EMAIL           unsubscribe an address; it is never mailed again
  unsubscribe TOKEN-OR-EMAIL
                         unsubscribe by the token of an "unsubscribe TOKEN" reply (the subject as it
                         came, the token or the whole link), or by address
  import FILE.csv        add many; the header row needs "email" (may have "name" and "status");
                         bad rows are named by line, the good ones imported in one write
  list [--json] [--status S]
                         show everyone (or those with status S: ${STATUSES.join(', ')}) and their status
  export                 CSV of everyone on stdout (email,name,status,created_at): import takes it back
${COMMON}`,
  serve: `Usage: pinboard-digest serve [--config F] [--port P]

Runs the subscription API on http://127.0.0.1:P/ (the same handler as the subscription-api function):
the sign-up page, POST /subscribe, the confirm link, and the unsubscribe page and one-click POST, against
the configured store and transport (on a laptop: the state folder and the outbox, where the confirmation
emails land). Links in those emails point at siteUrl when it is http://127.0.0.1:P or http://localhost:P,
otherwise at this server.

  --port P        the port (default: the port of a loopback siteUrl, else ${DEFAULT_PORT}; 0 picks a free one)
${COMMON}`,
};

function isoFlag(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name}: "${value}" is not a date (use ISO 8601, e.g. 2026-11-01)`);
  return new Date(ms).toISOString();
}

export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    output.out(HELP.main ?? '');
    return command ? 0 : 2;
  }
  if (wantsHelp) {
    const help = HELP[command];
    if (help) {
      output.out(help);
      return 0;
    }
  }

  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        state: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
        'dry-run': { type: 'boolean' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        confirmed: { type: 'boolean' },
        status: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const common = { config: values.config, state: values.state };
    switch (command) {
      case 'preview':
        return await previewCommand({ ...common, since: isoFlag(values.since, 'since'), out: values.out }, output);
      case 'send':
        return await sendCommand(
          { ...common, since: isoFlag(values.since, 'since'), dryRun: values['dry-run'] },
          output,
        );
      case 'serve':
        return await serveCommand({ ...common, port: values.port }, output);
      case 'subscribers':
        return await subscribersCommand(positionals[0], positionals.slice(1), { ...common, ...values }, output);
      default:
        output.err(`pinboard-digest: unknown command "${command}"\n`);
        output.err(HELP.main ?? '');
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      output.err(`pinboard-digest ${command}: ${(error as Error).message}`);
      output.err(`Try: pinboard-digest ${command} --help`);
      return 2;
    }
    if (error instanceof DigestError) {
      output.err(`pinboard-digest ${command} failed: ${error.name}: ${error.message}`);
      output.err('Nothing was lost: state only moves forward when the work it records is done.');
      return 1;
    }
    output.err(`pinboard-digest ${command} failed unexpectedly: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
