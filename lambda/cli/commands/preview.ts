/** `preview`: composes the next issue and writes it to files; sends nothing and changes no state. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composePreview, describeIssue } from '../../preview/compose';
import { DEFAULT_PREVIEW_PORT, watchPreview } from '../../preview/watch';
import { type Command, type FlagValues, isoFlag, stringFlag, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';
import { previewSite } from '../site';
import { portFlag } from './serve';

export { SAMPLE_READER } from '../../preview/compose';

export interface PreviewFlags extends CommonFlags {
  since?: string;
  out?: string;
}

export async function previewCommand(flags: PreviewFlags, output: Output, now = new Date()): Promise<number> {
  const app = openApp(flags, output, true);
  output.err(`config: ${app.origin}`);
  output.err(`source: ${app.source().description}`);
  const outcome = await composePreview(app, now, flags.since);
  for (const line of outcome.notes) output.err(line);
  if (outcome.kind === 'nothing') {
    output.out(`Nothing to preview: ${outcome.reason}.`);
    return 0;
  }

  const { record, files } = outcome;
  const dir = path.resolve(flags.out ?? 'out');
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);

  output.out(describeIssue(record, files));
  output.out(`Preview written to ${dir}: ${Object.keys(files).join(', ')} (nothing sent, state unchanged)`);
  output.out(await previewSite(app, record, path.join(dir, 'site')));
  return 0;
}

/** `preview --watch [--port P]`: the live preview (lambda/preview/watch.ts). */
function runPreview(values: FlagValues, common: CommonFlags, output: Output): Promise<number> {
  const since = isoFlag(values.since, 'since');
  if (!values.watch) {
    if (values.port !== undefined) throw new UsageError('--port is for --watch: preview --watch --port P');
    return previewCommand({ ...common, since, out: stringFlag(values.out) }, output);
  }
  if (values.out !== undefined)
    throw new UsageError('--out is not used with --watch: the preview is served, not written');
  return watchPreview({ ...common, since, port: portFlag(stringFlag(values.port)) }, output);
}

export const preview: Command = {
  name: 'preview',
  summary: 'compose the next issue into files, without sending or changing state',
  help: `Usage: pinboard-digest preview [--config F] [--since ISO] [--out DIR]
       pinboard-digest preview --watch [--port P] [--config F] [--since ISO]

Composes the next issue and writes DIR/digest.html, digest.txt, digest.json and digest.eml
(addressed to a made-up sample reader). Sends nothing and changes no state.

  --since ISO     start the window here instead of after the last issue
  --out DIR       where to write the files (default out/)
  --watch         serve the preview on http://127.0.0.1:P/ instead (phone and desktop widths, light and
                  dark, the text part) and rebuild it whenever a template, the config or the bookmark
                  file changes; errors show in the page; writes nothing; Ctrl-C stops it
  --port P        the port for --watch (default ${DEFAULT_PREVIEW_PORT}; 0 picks a free one)`,
  options: { since: { type: 'string' }, out: { type: 'string' }, watch: { type: 'boolean' }, port: { type: 'string' } },
  run: ({ values, common }, output) => runPreview(values, common, output),
};
