/** `site`: writes the whole archive again from the store (every page, the indexes, the feeds). */
import path from 'node:path';
import { rebuildSite } from '../../jobs/publish-site';
import { LOCAL_SITE_DIR, siteDeps } from '../../wiring';
import { type Command, stringFlag, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';

export interface SiteFlags extends CommonFlags {
  out?: string;
  /** Write to this S3 bucket (the SiteBucket output) instead of a folder, as compose-issue does. */
  bucket?: string;
}

export async function siteCommand(flags: SiteFlags, output: Output): Promise<number> {
  // Reads the store only: a rebuild never changes state.
  const app = openApp(flags, output, true);
  if (flags.out && flags.bucket) throw new UsageError('--out and --bucket: give one (a folder, or the S3 bucket)');
  const dir = path.resolve(flags.out ?? LOCAL_SITE_DIR);
  const target = flags.bucket ? { bucket: flags.bucket } : { dir };
  const where = flags.bucket ? `S3 bucket ${flags.bucket}` : dir;
  const started = Date.now();
  const done = await rebuildSite(await siteDeps(app, target));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  output.out(
    done.issues === 0
      ? `No issue has gone out yet (${app.store.description}): wrote an empty index and feeds to ${where}.`
      : `Archive rebuilt in ${where}: ${done.issues} issue page${done.issues === 1 ? '' : 's'}, the index and the Atom, RSS and JSON feeds (${done.files} files, ${seconds} s).`,
  );
  return 0;
}

export const site: Command = {
  name: 'site',
  summary: 'write the web archive of every issue sent (pages, index, feeds) again from the store',
  help: `Usage: pinboard-digest site [--config F] [--state DIR] [--out DIR | --bucket NAME]

Writes the archive again from the store: a page per issue that went out (issues/N/index.html), the
index (issues/index.html and index.html), site.css, and the Atom, RSS and JSON feeds of the newest 20
issues. \`send\` keeps it up to date by itself; run this after changing templates/site/ or to copy the
archive on AWS (\`--bucket\`, with a config whose store is the deployed table). Changes no state.

  --out DIR       where to write it (default ${LOCAL_SITE_DIR}/)
  --bucket NAME   write it to the site bucket (the SiteBucket output) as compose-issue does, the signup
                  page at its root; AWS credentials and region from the environment`,
  options: { out: { type: 'string' }, bucket: { type: 'string' } },
  run: ({ values, common }, output) =>
    siteCommand({ ...common, out: stringFlag(values.out), bucket: stringFlag(values.bucket) }, output),
};
