/**
 * The preview's one compose-and-render step, shared by `preview` (which writes the files) and `preview --watch`
 * (which serves them): the next issue composed as `send` would compose it, rendered for a made-up reader,
 * nothing written to the store. Returns values; the caller decides where they go.
 */

import type { IssueRecord, Subscriber } from '../core/model';
import { composeNextIssue } from '../jobs/compose-next';
import type { NamedSource } from '../ports/bookmark-source';
import { buildMessage, personalize } from '../render/message';
import { pluralsFor } from '../render/plural';
import { describeReport } from '../render/report';
import { type App, composeDeps } from '../wiring';

/** The CLI speaks English. */
const english = pluralsFor('en');

/** The reader the preview is addressed to: made up, so a preview never shows a real subscriber. */
export const SAMPLE_READER: Subscriber = {
  id: 'sample-reader-0001',
  email: 'reader@example.com',
  name: 'Sample Reader',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export interface PreviewFiles {
  'digest.html': string;
  'digest.txt': string;
  'digest.json': string;
  'digest.eml': string | Buffer;
}

export type PreviewOutcome =
  | {
      kind: 'issue';
      record: IssueRecord;
      files: PreviewFiles;
      /** Stored but not fully sent: shown as stored, not recomposed. */
      resumed: boolean;
      /** Warnings and what selection left out, one line each, for stderr or the page. */
      notes: string[];
    }
  | { kind: 'nothing'; reason: string; notes: string[] };

/**
 * Composes the next issue read-only (`app` opened with readOnly) and renders it for SAMPLE_READER.
 * `sources` replaces the app's own (the watch keeps network answers between rebuilds).
 */
export async function composePreview(
  app: App,
  now: Date,
  since?: string,
  sources?: readonly NamedSource[],
): Promise<PreviewOutcome> {
  const deps = await composeDeps(app);
  const next = await composeNextIssue(sources ? { ...deps, sources } : deps, now, since);
  const notes = next.kind === 'resume' ? [] : next.warnings.map((w) => `warning: ${w}`);
  if (next.kind === 'nothing') {
    if (next.report) notes.push(...describeReport(next.report));
    return { kind: 'nothing', reason: next.reason, notes };
  }
  if (next.kind === 'resume') {
    notes.push(`issue #${next.record.issue} is composed but not fully sent: previewing it as stored`);
  } else {
    notes.push(...describeReport(next.report));
  }
  const record = next.record;
  const message = await buildMessage(record, SAMPLE_READER, app.message(), now);
  const { html, text } = personalize(record, SAMPLE_READER, app.message());
  const files: PreviewFiles = {
    'digest.html': html,
    'digest.txt': text,
    'digest.json': `${JSON.stringify(record.model, null, 2)}\n`,
    'digest.eml': message.raw,
  };
  return { kind: 'issue', record, files, resumed: next.kind === 'resume', notes };
}

/** `Issue #3: "…" — 5 links in 2 sections, HTML 12,345 bytes`: the line each preview prints. */
export function describeIssue(record: IssueRecord, files: PreviewFiles): string {
  const { model } = record;
  const bytes = Buffer.byteLength(files['digest.html']);
  return `Issue #${record.issue}: "${model.subject}" — ${english.links(model.bookmarkCount)} in ${english.format(model.sections.length, { one: '# section', other: '# sections' })}, HTML ${bytes.toLocaleString('en')} bytes`;
}
