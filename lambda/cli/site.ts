/** The archive on a laptop: `send` and `preview` write it as files (out/site/, or DIR/site/ for preview --out DIR). */
import path from 'node:path';
import type { IssueRecord } from '../core/model';
import { publishIssue, type SiteDeps } from '../jobs/publish-site';
import { type App, LOCAL_SITE_DIR, siteDeps } from '../wiring';

/** The folder `send` writes the archive to. */
export const localSite = (app: App): Promise<SiteDeps> => siteDeps(app, { dir: path.resolve(LOCAL_SITE_DIR) });

/** Writes `record` (a preview: never stored) onto the archive under `dir`; returns the line to print. */
export async function previewSite(app: App, record: IssueRecord, dir: string): Promise<string> {
  const deps = await siteDeps(app, { dir });
  const done = await publishIssue(record, deps);
  return `Archive written to ${dir}: issues/${record.issue}/index.html among ${done.issues} issue${done.issues === 1 ? '' : 's'}, index, Atom, RSS and JSON feeds`;
}
