/**
 * One rebuild of the live preview: (re)open the app when the config changed, compose and render the next
 * issue with the code `preview` runs (compose.ts), read-only, and say what to watch next. Network sources
 * answer from a cache between rebuilds (source-cache.ts); a file source is read again every time.
 * A failure of any kind becomes a build with an error, never an exception: the server keeps running.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_CONFIG } from '../config';
import type { NamedSource } from '../ports/bookmark-source';
import type { Output } from '../ports/output';
import { type App, openApp, sourceList } from '../wiring';
import { composePreview, describeIssue, type PreviewOutcome } from './compose';
import { type BuildErrorView, describeBuildError, errorLine } from './errors';
import { CachedSource } from './source-cache';
import type { WatchTarget } from './watcher';

export interface BuilderFlags {
  config?: string;
  state?: string;
  since?: string;
}

export interface Build {
  version: number;
  finishedAt: Date;
  ms: number;
  outcome?: PreviewOutcome;
  error?: BuildErrorView;
  /** The one-line summary printed for it. */
  line: string;
}

/** The least time between two fetches the author asks for, on top of the adapters' own pacing. */
export const MIN_REFRESH_MS = 60_000;

/** The config file `loadConfig` reads for these flags (the embedded example when there is none). */
export function configFile(config: string | undefined, cwd = process.cwd()): string {
  if (config) return path.resolve(cwd, config);
  const local = path.resolve(cwd, 'digest.config.json');
  return existsSync(local) ? local : EXAMPLE_CONFIG;
}

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export class PreviewBuilder {
  readonly configPath: string;
  private app?: App;
  private readonly cached = new Map<string, CachedSource>();
  private version = 0;
  private lastRefresh = 0;
  /** What the last successful open of the config said to watch. */
  private watched: WatchTarget[];

  constructor(
    private readonly flags: BuilderFlags,
    private readonly output: Output,
    private readonly now: () => Date = () => new Date(),
    cwd = process.cwd(),
  ) {
    this.configPath = configFile(flags.config, cwd);
    this.watched = [{ path: this.configPath, kind: 'file', label: 'config' }];
  }

  /** The newsletter's title, once a config has loaded. */
  title(): string {
    return this.app?.config.title ?? 'pinboard-digest';
  }

  /** The templates folder, the config file and each bookmark file, as of the last config that loaded. */
  targets(): WatchTarget[] {
    return this.watched;
  }

  /** Bookmark files, resolved as the wiring resolves them (against the config's folder). */
  private bookmarkFiles(app: App): string[] {
    const base = path.dirname(this.configPath);
    return sourceList(app.config).flatMap((s) => (s.type === 'file' ? [path.resolve(base, s.path)] : []));
  }

  /** The app's sources, each network one answering from its cache. */
  private sources(app: App): NamedSource[] {
    const configs = sourceList(app.config);
    return app.sources().map((named, i) => {
      if (configs[i]?.type === 'file') return named;
      let cached = this.cached.get(named.id);
      if (!cached) {
        cached = new CachedSource(named.source, () => this.now().getTime());
        this.cached.set(named.id, cached);
      }
      return { id: named.id, source: cached };
    });
  }

  /** Network sources, when the last fetch was, and whether another may be asked for now. */
  network(): { fetched: string; canRefresh: boolean } | undefined {
    if (this.cached.size === 0) return undefined;
    const times = [...this.cached.values()].map((c) => c.fetchedAt ?? 0);
    const last = Math.max(...times);
    const nowMs = this.now().getTime();
    return {
      fetched: last ? new Date(last).toISOString().slice(11, 19) : 'not yet',
      canRefresh: nowMs - Math.max(last, this.lastRefresh) >= MIN_REFRESH_MS,
    };
  }

  /** Network sources are asked again on the next build; false (nothing done) within MIN_REFRESH_MS. */
  refreshSources(): boolean {
    if (!this.network()?.canRefresh) return false;
    this.lastRefresh = this.now().getTime();
    for (const source of this.cached.values()) source.refresh();
    return true;
  }

  /** Builds once. `changed` are the paths that changed since the last build (the config's reopens the app). */
  async build(changed: readonly string[] = []): Promise<Build> {
    const started = performance.now();
    const version = ++this.version;
    if (changed.includes(this.configPath)) this.app = undefined;
    const finish = (fields: Pick<Build, 'outcome' | 'error' | 'line'>): Build => ({
      version,
      finishedAt: this.now(),
      ms: Math.round(performance.now() - started),
      ...fields,
    });
    try {
      if (!this.app) {
        const app = openApp(this.flags, this.output, true);
        this.app = app;
        const live = new Set(app.sources().map((s) => s.id));
        for (const id of this.cached.keys()) if (!live.has(id)) this.cached.delete(id);
        this.watched = [
          { path: app.templatesDir, kind: 'dir', label: 'templates' },
          { path: this.configPath, kind: 'file', label: 'config' },
          ...this.bookmarkFiles(app).map((file): WatchTarget => ({ path: file, kind: 'file', label: 'bookmark file' })),
        ];
      }
      const outcome = await composePreview(this.app, this.now(), this.flags.since, this.sources(this.app));
      const line =
        outcome.kind === 'issue'
          ? describeIssue(outcome.record, outcome.files)
          : `Nothing to preview: ${outcome.reason}.`;
      return finish({ outcome, line });
    } catch (error) {
      const known = [this.configPath, ...this.watched.filter((t) => t.kind === 'file').map((t) => t.path)];
      const view = describeBuildError(error, known, readText);
      if (view.kind === 'Config error') this.app = undefined;
      return finish({ error: view, line: errorLine(view) });
    }
  }
}
