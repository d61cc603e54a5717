/** `issues list|show N`: what went out, when, to how many, and who left after it; from the configured store. */
import type { ReviewEvent } from '../../core/review';
import {
  type IssueDetail,
  type IssueFigures,
  type IssueReview,
  issueDetail,
  issueHistory,
} from '../../jobs/issue-history';
import { pluralsFor } from '../../render/plural';
import { type Command, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';

const day = (iso: string) => iso.slice(0, 10);

/** The date an issue went out, or what it is waiting for (a draft: its review state). */
const when = (f: IssueFigures) =>
  f.status === 'sent' ? day(f.sentAt ?? f.composedAt) : f.status === 'draft' ? (f.review?.state ?? 'draft') : f.status;

/** An action as a line: "2026-12-04 09:12 approved (link)", with what it said. */
const eventLine = (e: ReviewEvent) =>
  `${e.at.slice(0, 16).replace('T', ' ')} ${e.action} (${e.by})${e.detail ? `: ${e.detail}` : ''}`;

/** Under the table: the review of each issue that had one, its last action. */
function reviewLines(rows: IssueFigures[]): string[] {
  const reviewed = rows.filter((r) => r.review);
  if (reviewed.length === 0) return [];
  return [
    '',
    'Review:',
    ...reviewed.map((r) => {
      const review = r.review as IssueReview;
      const last = review.events[review.events.length - 1];
      const note = review.note ? `; note of the day (${review.note.length} characters)` : '';
      return `  #${r.issue} ${review.state}, send time ${review.sendAt.slice(0, 16).replace('T', ' ')} UTC${last ? `; last: ${eventLine(last)}` : ''}${note}`;
    }),
  ];
}

const COLUMNS: [string, (f: IssueFigures) => string | number][] = [
  ['#', (f) => f.issue],
  ['date', when],
  ['links', (f) => f.links],
  ['sent', (f) => f.sent],
  ['refused', (f) => f.refused],
  ['bounced', (f) => f.bounced],
  ['complained', (f) => f.complained],
  ['unsub since', (f) => f.unsubscribed],
  ['subject', (f) => f.subject],
];

function table(rows: IssueFigures[]): string[] {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, get]) => String(get(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const last = COLUMNS.length - 1;
  return cells.map((c) =>
    c
      .map((v, i) => (i === last ? v : i === 1 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function showText(d: IssueDetail, output: Output) {
  output.out(`Issue #${d.issue}: "${d.subject}"`);
  output.out(
    `  ${d.status}${d.sentAt ? ` ${d.sentAt}` : ''} (composed ${d.composedAt}); bookmarks saved ${d.window.from} – ${d.window.to}`,
  );
  output.out(
    `  sent ${d.sent}, refused ${d.refused}, unfinished ${d.unfinished}${d.omitted ? `, nothing by their choice ${d.omitted}` : ''}; since then: bounced ${d.bounced}, complained ${d.complained}, unsubscribed ${d.unsubscribed}`,
  );
  const shared = d.shares.some((s) => s.label !== 'the whole issue');
  if (shared) {
    output.out('  readers got:');
    for (const s of d.shares) output.out(`    ${String(s.readers).padStart(6)}  ${s.label}`);
  }
  if (d.review) {
    output.out(`  review: ${d.review.state}; send time ${d.review.sendAt}`);
    for (const e of d.review.events) output.out(`    ${eventLine(e)}`);
    if (d.review.note) {
      output.out('  note of the day:');
      for (const line of d.review.note.split('\n')) output.out(`    ${line}`);
    }
  }
  for (const section of d.sections) {
    output.out('');
    output.out(`${section.title} (${section.links.length})`);
    for (const link of section.links) output.out(`  ${link.title}\n    ${link.url}`);
  }
}

export async function issuesCommand(
  action: string | undefined,
  args: string[],
  flags: CommonFlags & { json?: boolean },
  output: Output,
): Promise<number> {
  if (action !== 'list' && action !== 'show') {
    throw new UsageError(`issues: unknown action ${action ? `"${action}"` : '(none)'}; use list or show N`);
  }
  let wanted = 0;
  if (action === 'show') {
    wanted = Number(args[0]);
    if (!args[0] || !Number.isInteger(wanted) || wanted < 1) {
      throw new UsageError(`issues show: give an issue number (1, 2, …)${args[0] ? `, not "${args[0]}"` : ''}`);
    }
  }
  // Reading history changes nothing.
  const app = openApp(flags, output, true);
  if (action === 'list') {
    const rows = await issueHistory(app.store);
    if (flags.json) output.out(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) output.out(`No issues yet (${app.store.description}).`);
    else
      for (const line of [
        ...table(rows),
        ...reviewLines(rows),
        `${pluralsFor('en').format(rows.length, { one: '# issue', other: '# issues' })} (${app.store.description}).`,
      ])
        output.out(line);
    return 0;
  }
  const detail = await issueDetail(app.store, wanted);
  if (!detail) {
    output.err(`There is no issue #${wanted} in ${app.store.description}; \`pinboard-digest issues list\` shows them.`);
    return 1;
  }
  if (flags.json) output.out(JSON.stringify(detail, null, 2));
  else showText(detail, output);
  return 0;
}

export const issues: Command = {
  name: 'issues',
  summary: 'list past issues with their delivery figures, or show one with its links',
  help: `Usage: pinboard-digest issues list [--json]
       pinboard-digest issues show N [--json]

Reads the configured store (the local state directory, or DynamoDB when the config says so) and
changes nothing.

  list            one line per issue: number, date sent (or its state), links, the
                  figures below, subject; with review, the next issue's draft too (its
                  state: draft, approved or held), and under the table each reviewed
                  issue's state and last action
  show N          one issue (or the next issue's draft): the same figures, its review
                  (every action with its time, the note of the day), then its links by section

The figures:
  sent, refused   from the delivery ledger: messages the transport accepted, and messages it
                  refused for good (refused readers are recorded, not retried)
  unfinished      (show, --json) recipients claimed by a send that has not finished
  bounced, complained, unsub since
                  readers who were sent this issue and whose address SES later reported
                  bouncing, or as a spam complaint, or who unsubscribed (by the link, a reply,
                  or \`subscribers remove\`), before they were sent another issue. The store keeps
                  a reader's current status and when it last changed, not which mail caused it:
                  each change is counted once, against the last issue that reader was sent
                  before it. A reader who left and was re-activated is not counted.

  --json          the same as JSON`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals, common }, output) =>
    issuesCommand(positionals[0], positionals.slice(1), { ...common, json: values.json === true }, output),
};
