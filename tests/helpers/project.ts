/** A throwaway author project on disk: bookmarks, subscribers, a config; for runs of the real CLI. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ProjectOptions {
  /** Pinboard-shaped posts for `bookmarks.json`. */
  posts: unknown[];
  /** Rows of `subscribers.csv` (header `email,name`), used as `subscribersSeed`. */
  subscribers?: string[];
  /** Replaces or adds config keys (`undefined` drops one). */
  config?: Record<string, unknown>;
}

export function makeProject(options: ProjectOptions): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'pd-project-'));
  writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify(options.posts));
  const rows = options.subscribers ?? ['a@example.com,A', 'b@example.com,B'];
  writeFileSync(path.join(cwd, 'subscribers.csv'), `email,name\n${rows.join('\n')}\n`);
  writeFileSync(
    path.join(cwd, 'digest.config.json'),
    JSON.stringify({
      title: 'My Links',
      siteUrl: 'https://links.example.com',
      from: 'My Links <d@links.example.com>',
      source: { type: 'file', path: 'bookmarks.json' },
      transport: { type: 'outbox', dir: 'outbox' },
      subscribersSeed: 'subscribers.csv',
      ...options.config,
    }),
  );
  return cwd;
}
