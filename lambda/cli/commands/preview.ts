/** `preview`: composes the next issue and writes it to files; sends nothing and changes no state. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Subscriber } from '../../core/model';
import { composeNextIssue } from '../../jobs/compose-next';
import { buildMessage, personalize } from '../../render/message';
import { pluralsFor } from '../../render/plural';
import { type Command, isoFlag, stringFlag } from '../command';
import { type CommonFlags, composeDeps, openApp } from '../context';
import type { Output } from '../output';
import { describeReport } from '../report';

/** The CLI speaks English. */
const english = pluralsFor('en');

export interface PreviewFlags extends CommonFlags {
  since?: string;
  out?: string;
}

/** The reader the preview is addressed to: made up, so a preview never shows a real subscriber. */
export const SAMPLE_READER: Subscriber = {
  id: 'sample-reader-0001',
  email: 'reader@example.com',
  name: 'Sample Reader',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export async function previewCommand(flags: PreviewFlags, output: Output, now = new Date()): Promise<number> {
  const app = openApp(flags, output, true);
  output.err(`config: ${app.origin}`);
  output.err(`source: ${app.source().description}`);
  const deps = await composeDeps(app);
  const next = await composeNextIssue(deps, now, flags.since);
  if (next.kind !== 'resume') for (const w of next.warnings) output.err(`warning: ${w}`);
  if (next.kind === 'nothing') {
    if (next.report) for (const line of describeReport(next.report)) output.err(line);
    output.out(`Nothing to preview: ${next.reason}.`);
    return 0;
  }
  if (next.kind === 'resume') {
    output.err(`issue #${next.record.issue} is composed but not fully sent: previewing it as stored`);
  } else {
    for (const line of describeReport(next.report)) output.err(line);
  }

  const record = next.record;
  const message = await buildMessage(record, SAMPLE_READER, app.message(), now);
  const { html, text } = personalize(record, SAMPLE_READER, app.message());
  const dir = path.resolve(flags.out ?? 'out');
  await mkdir(dir, { recursive: true });
  const files = {
    'digest.html': html,
    'digest.txt': text,
    'digest.json': `${JSON.stringify(record.model, null, 2)}\n`,
    'digest.eml': message.raw,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);

  const bytes = Buffer.byteLength(files['digest.html']);
  output.out(
    `Issue #${record.issue}: "${record.model.subject}" — ${english.links(record.model.bookmarkCount)} in ${english.format(record.model.sections.length, { one: '# section', other: '# sections' })}, HTML ${bytes.toLocaleString('en')} bytes`,
  );
  output.out(`Preview written to ${dir}: ${Object.keys(files).join(', ')} (nothing sent, state unchanged)`);
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
