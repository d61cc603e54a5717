/** `site`: writes the whole archive again from the store (every page, the indexes, the feeds). */
import path from 'node:path';
import { rebuildSite } from '../../jobs/publish-site';
import { LOCAL_SITE_DIR, siteDeps } from '../../wiring';
import { type Command, stringFlag } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';

export interface SiteFlags extends CommonFlags {
  out?: string;
}

export async function siteCommand(flags: SiteFlags, output: Output): Promise<number> {
  // Reads the store only: a rebuild never changes state.
  const app = openApp(flags, output, true);
  const dir = path.resolve(flags.out ?? LOCAL_SITE_DIR);
  const started = Date.now();
  const done = await rebuildSite(await siteDeps(app, { dir }));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  output.out(
    done.issues === 0
      ? `No issue has gone out yet (${app.store.description}): wrote an empty index and feeds to ${dir}.`
      : `Archive rebuilt in ${dir}: ${done.issues} issue page${done.issues === 1 ? '' : 's'}, the index and the Atom, RSS and JSON feeds (${done.files} files, ${seconds} s).`,
  );
  return 0;
}

export const site: Command = {
  name: 'site',
  summary: 'write the web archive of every issue sent (pages, index, feeds) again from the store',
  help: `Usage: pinboard-digest site [--config F] [--state DIR] [--out DIR]

Writes the archive again from the store: a page per issue that went out (issues/N/index.html), the
index (issues/index.html and index.html), site.css, and the Atom, RSS and JSON feeds of the newest 20
issues. \`send\` keeps it up to date by itself; run this after changing templates/site/ or to copy the
archive elsewhere (e.g. \`aws s3 sync DIR s3://BUCKET\`). Changes no state.

  --out DIR       where to write it (default ${LOCAL_SITE_DIR}/)`,
  options: { out: { type: 'string' } },
  run: ({ values, common }, output) => siteCommand({ ...common, out: stringFlag(values.out) }, output),
};
