/** `preview`: composes the next issue and writes it to files; sends nothing and changes no state. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composePreview, describeIssue } from '../../preview/compose';
import { type Command, isoFlag, stringFlag } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';
import { previewSite } from '../site';

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

export const preview: Command = {
  name: 'preview',
  summary: 'compose the next issue into files, without sending or changing state',
  help: `Usage: pinboard-digest preview [--config F] [--since ISO] [--out DIR]

Composes the next issue and writes DIR/digest.html, digest.txt, digest.json and digest.eml
(addressed to a made-up sample reader). Sends nothing and changes no state.

  --since ISO     start the window here instead of after the last issue
  --out DIR       where to write the files (default out/)`,
  options: { since: { type: 'string' }, out: { type: 'string' } },
  run: ({ values, common }, output) =>
    previewCommand({ ...common, since: isoFlag(values.since, 'since'), out: stringFlag(values.out) }, output),
};
