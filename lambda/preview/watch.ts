/**
 * `preview --watch`: builds the next issue, serves it on 127.0.0.1, and builds again whenever a template,
 * the config or a bookmark file changes (one build at a time; changes during a build make one more).
 * Network sources are asked again every NETWORK_REFRESH_MS or when the author presses the page's button.
 * Nothing is written: no state, no files. Stops on SIGINT or SIGTERM (or when `stop` resolves, in tests).
 */
import { once } from 'node:events';
import { UsageError } from '../cli/command';
import type { Output } from '../ports/output';
import { type Build, type BuilderFlags, PreviewBuilder } from './builder';
import { emailInScheme, type PageModel, parseFrameName, previewPage, type ShownIssue } from './page';
import { startPreviewServer } from './server';
import { changedSince, sameTargets, type WatchTarget, watchTargets } from './watcher';

export const DEFAULT_PREVIEW_PORT = 8025;

/** Pinboard allows posts/all once every 5 minutes: the preview asks no oftener by itself. */
export const NETWORK_REFRESH_MS = 5 * 60_000;

const clock = (d: Date) => d.toISOString().slice(11, 19);

/** What the page shows before the first build is done. */
const STARTING: Build = { version: 0, finishedAt: new Date(0), ms: 0, line: '' };

export async function watchPreview(
  flags: BuilderFlags & { port?: number },
  output: Output,
  /** Resolves when the server should stop (tests); by default SIGINT or SIGTERM. */
  stop?: Promise<unknown>,
): Promise<number> {
  const builder = new PreviewBuilder(flags, output);
  let current: Build | undefined;
  let shown: { issue: ShownIssue; email: string } | undefined;

  const report = (build: Build) => {
    const line = `[${clock(build.finishedAt)}] ${build.line} (${build.ms} ms)`;
    if (build.error) output.err(line);
    else output.out(line);
  };

  const accept = (build: Build) => {
    current = build;
    const outcome = build.outcome;
    if (outcome?.kind === 'issue') {
      const { model } = outcome.record;
      shown = {
        email: outcome.files['digest.html'],
        issue: {
          issue: outcome.record.issue,
          subject: model.subject,
          preheader: model.preheader,
          summary: build.line.replace(/^Issue #\d+: ".*" — /, ''),
          text: outcome.files['digest.txt'],
          version: build.version,
          builtAt: clock(build.finishedAt),
        },
      };
    } else if (outcome?.kind === 'nothing') {
      shown = undefined;
    }
    report(build);
  };

  const model = (build: Build): PageModel => ({
    version: build.version,
    title: builder.title(),
    status: `build ${build.version} in ${build.ms} ms at ${clock(build.finishedAt)} UTC`,
    watching: builder.targets().map(({ label, path }) => ({ label, path })),
    notes: build.outcome?.notes ?? [],
    network: builder.network(),
    error: build.error,
    nothing: build.outcome?.kind === 'nothing' ? build.outcome.reason : undefined,
    issue: shown?.issue,
    stale: build.error !== undefined,
  });

  let pending: Set<string> | undefined;
  let running: Promise<void> | undefined;
  const port = flags.port ?? DEFAULT_PREVIEW_PORT;
  const server = await startPreviewServer(
    {
      page: () =>
        current
          ? previewPage(model(current))
          : previewPage({ ...model(STARTING), status: 'the first build is running', building: true }),
      version: () => current?.version ?? 0,
      frame: (name) => {
        const wanted = parseFrameName(name);
        return wanted && shown ? emailInScheme(shown.email, wanted.scheme) : undefined;
      },
      refresh: () => {
        if (builder.refreshSources()) schedule([]);
      },
    },
    port,
  ).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: choose another with --port`);
    throw cause;
  });

  // Listening first: a port in use is said at once, and the page is there while the first build runs.
  output.out(`Live preview on ${server.url}/`);
  output.out('Nothing is sent and no state changes. Ctrl-C stops it.');
  const firstStarted = Date.now();
  accept(await builder.build());
  server.announce();
  output.out(
    `  watching: ${builder
      .targets()
      .map((t) => `${t.label} ${t.path}`)
      .join('; ')}`,
  );

  const watch = (targets: WatchTarget[]) =>
    watchTargets(targets, (changed) => schedule(changed), { onProblem: (line) => output.err(`warning: ${line}`) });
  let watchedTargets = builder.targets();
  let watching = watch(watchedTargets);

  const rebuild = async (changed: string[]) => {
    accept(await builder.build(changed));
    if (!sameTargets(watchedTargets, builder.targets())) {
      watching.close();
      watchedTargets = builder.targets();
      watching = watch(watchedTargets);
    }
    server.announce();
  };
  const schedule = (changed: string[]) => {
    pending ??= new Set();
    for (const file of changed) pending.add(file);
    running ??= (async () => {
      while (pending) {
        const batch = [...pending];
        pending = undefined;
        await rebuild(batch);
      }
      running = undefined;
    })();
  };

  // An edit saved while the first build ran (before anything was watched) makes the next build at once.
  const missed = changedSince(watchedTargets, firstStarted);
  if (missed.length > 0) schedule(missed);

  const timer = setInterval(() => {
    if (builder.refreshSources()) schedule([]);
  }, NETWORK_REFRESH_MS);

  await (stop ?? Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]));
  clearInterval(timer);
  watching.close();
  await running;
  await server.close();
  output.err('Stopped.');
  return 0;
}
