/**
 * `serve`: the subscription API (the handler the subscription-api function runs) on 127.0.0.1, against the
 * configured store and transport: on a laptop, the file store and the outbox. Links in the mail it sends point
 * at `siteUrl` when that is this server (`http://127.0.0.1:PORT`, `http://localhost:PORT`), else at the server
 * itself, so a local sign-up can be confirmed by clicking.
 */
import { once } from 'node:events';
import path from 'node:path';
import { isLoopbackUrl } from '../../core/site-url';
import type { SubscriptionHandler } from '../../http/handler';
import { startServer } from '../../http/node-host';
import { SECURITY_HEADERS } from '../../http/security-headers';
import { staticSite } from '../../http/static-site';
import { subscriptionHandler } from '../../http/subscription-app';
import { LOCAL_SITE_DIR } from '../../wiring';
import { type Command, stringFlag, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';

export const DEFAULT_PORT = 8080;

export function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new UsageError(`--port: "${value}" is not a port (0–65535)`);
  return port;
}

/** The port of a loopback siteUrl, which `serve` then listens on unless told otherwise. */
function sitePort(siteUrl: string): number | undefined {
  if (!isLoopbackUrl(siteUrl)) return undefined;
  const url = new URL(siteUrl);
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

export async function serveCommand(
  flags: CommonFlags & { port?: string },
  output: Output,
  /** Resolves when the server should stop (tests); by default SIGINT or SIGTERM. */
  stop?: Promise<unknown>,
): Promise<number> {
  const app = openApp(flags, output);
  const { siteUrl } = app.config;
  const port = portFlag(flags.port) ?? sitePort(siteUrl) ?? DEFAULT_PORT;
  const confirmTemplates = await app.confirmTemplates();

  let handler: SubscriptionHandler | undefined;
  // The archive `send` writes, so a local issue's "View in your browser" link opens (lambda/http/static-site.ts).
  const archive = staticSite(path.resolve(LOCAL_SITE_DIR));
  const server = await startServer(
    async (request) => {
      const started = process.hrtime.bigint();
      const response =
        (await archive(request)) ??
        (handler
          ? await handler(request)
          : {
              status: 503,
              headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' },
              body: 'Starting: try again in a second.',
            });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The path only, never the query: it holds tokens.
      output.err(`${request.method} ${request.path} ${response.status} ${ms.toFixed(1)} ms`);
      return response;
    },
    { port },
  ).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: choose another with --port`);
    throw cause;
  });
  const linkBase = sitePort(siteUrl) === server.port ? siteUrl : server.url;
  handler = subscriptionHandler(app, confirmTemplates, {
    siteUrl: linkBase,
    log: (line, fields) => output.err(`${line} ${JSON.stringify(fields ?? {})}`),
  });

  output.out(`Serving the sign-up page of "${app.config.title}" on ${server.url}/`);
  output.out(`  store: ${app.store.description}; mail: ${app.mailer().description}`);
  if (linkBase !== siteUrl) {
    output.out(`  siteUrl is ${siteUrl}: links in the mail sent from here point at ${linkBase} instead.`);
  }
  output.out('Ctrl-C stops it.');

  await (stop ?? Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]));
  await server.close();
  output.err('Stopped.');
  return 0;
}

export const serve: Command = {
  name: 'serve',
  summary: 'run the sign-up page and the confirm and unsubscribe links on 127.0.0.1',
  help: `Usage: pinboard-digest serve [--config F] [--port P]

Runs the subscription API on http://127.0.0.1:P/ (the same handler as the subscription-api function):
the sign-up page, POST /subscribe, the confirm link, and the unsubscribe page and one-click POST, against
the configured store and transport (on a laptop: the state folder and the outbox, where the confirmation
emails land). Links in those emails point at siteUrl when it is http://127.0.0.1:P or http://localhost:P,
otherwise at this server.

  --port P        the port (default: the port of a loopback siteUrl, else ${DEFAULT_PORT}; 0 picks a free one)`,
  options: { port: { type: 'string' } },
  run: ({ values, common }, output) => serveCommand({ ...common, port: stringFlag(values.port) }, output),
};
