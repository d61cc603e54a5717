/**
 * `draft`, `approve`, `hold`, `note`: the author's hand on the next issue (config `review`; jobs/review.ts).
 * `send` is the deadline (cli/commands/send.ts): it delivers the draft when the review lets it go.
 */
import { readFile } from 'node:fs/promises';
import type { Draft } from '../../core/review';
import { approveDraft, composeDraft, holdDraft, noteDraft, type ReviewDeps, ReviewError } from '../../jobs/review';
import { pluralsFor } from '../../render/plural';
import { sendAtLabel } from '../../render/preflight';
import { type App, reviewActions, reviewDeps } from '../../wiring';
import { type Command, UsageError } from '../command';
import { type CommonFlags, openApp } from '../context';
import type { Output } from '../output';
import { describeReport } from '../report';
import { seedIfEmpty } from '../seed';
import { sendCommand } from './send';

export interface ReviewFlags extends CommonFlags {
  issue?: number;
  /** The clock (tests); the command's own time otherwise. */
  now?: () => Date;
}

async function openReview(flags: ReviewFlags, output: Output): Promise<{ app: App; deps: ReviewDeps }> {
  const app = openApp(flags, output);
  const deps = await reviewDeps(app, flags.now);
  if (!deps) {
    throw new UsageError(
      `${app.origin} has no "review" key: add "review": { "to": "you@example.org" } (and a "schedule") to review each issue before it goes out`,
    );
  }
  return { app, deps: { ...deps, log: (line) => output.err(line) } };
}

/** The send time as the preflight and the review pages write it. */
const when = (draft: Draft) => sendAtLabel(draft.sendAt, draft.timeZone, 'en');

const links = (n: number) => pluralsFor('en').links(n);
const readers = (n: number) => pluralsFor('en').format(n, { one: '# reader', other: '# readers' });

const goesOut = (draft: Draft) =>
  draft.mode === 'auto'
    ? `It goes out ${when(draft)} unless you hold it (\`pinboard-digest hold\`).`
    : `It goes out ${when(draft)} only if you approve it (\`pinboard-digest approve\`).`;

/** Runs a review action; a ReviewError is the author's situation, said plainly (exit 1), not a crash. */
async function act(output: Output, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ReviewError)) throw error;
    output.out(`${error.message}.`);
    return 1;
  }
}

export async function draftCommand(flags: ReviewFlags, output: Output): Promise<number> {
  const { app, deps } = await openReview(flags, output);
  // The readers the draft counts are those `send` would mail: an empty list takes the seed first, as there.
  await seedIfEmpty(app, deps.now(), output);
  return act(output, async () => {
    const outcome = await composeDraft(deps, 'cli');
    switch (outcome.kind) {
      case 'unfinished':
        output.out(
          `Issue #${outcome.issue} is still going out: run \`pinboard-digest send\` to finish it first. No draft made.`,
        );
        return 1;
      case 'exists':
        output.out(
          `The draft of issue #${outcome.draft.issue} is already made (${outcome.draft.state}). ${goesOut(outcome.draft)}`,
        );
        return 0;
      case 'early':
        output.out(
          `Not yet: the draft is made from ${outcome.draftAt}, leadHours before the send at ${outcome.sendAt}.`,
        );
        return 0;
      case 'nothing':
        for (const w of outcome.warnings) output.err(`warning: ${w}`);
        if (outcome.report) for (const line of describeReport(outcome.report)) output.err(line);
        output.out(`No draft: ${outcome.reason}. State unchanged.`);
        return 0;
      case 'drafted': {
        for (const w of outcome.warnings) output.err(`warning: ${w}`);
        for (const line of describeReport(outcome.report)) output.err(line);
        const d = outcome.draft;
        if (outcome.replaced)
          output.out(`The ${outcome.replaced.state} draft made ${outcome.replaced.record.composedAt} is replaced.`);
        output.out(
          `Drafted issue #${d.issue}: "${d.record.model.subject}", ${links(d.record.model.bookmarkCount)}, for ${readers(d.preflight.readers)}.`,
        );
        const preflight = d.events.findLast((e) => e.action === 'preflight');
        output.out(
          preflight?.detail?.startsWith('failed')
            ? `The preflight was NOT mailed (${preflight.detail}); the draft is kept: \`pinboard-digest note\` mails it again.`
            : `Preflight mailed to ${deps.settings.to}.`,
        );
        output.out(goesOut(d));
        return 0;
      }
    }
  });
}

export async function approveCommand(flags: ReviewFlags, output: Output): Promise<number> {
  const { app, deps } = await openReview(flags, output);
  return act(output, async () => {
    const outcome = await approveDraft(deps, { issue: flags.issue, by: 'cli' });
    const d = outcome.draft;
    if (outcome.changes.length > 0) {
      output.out(`The bookmarks changed since the draft was made; issue #${d.issue} was composed again:`);
      for (const line of outcome.changes) output.out(`  ${line}`);
    }
    output.out(`Approved issue #${d.issue}: "${d.record.model.subject}", ${links(d.record.model.bookmarkCount)}.`);
    if (!outcome.late) {
      output.out(`It goes out ${when(d)} (\`pinboard-digest send\` sends it now).`);
      return 0;
    }
    output.out(`Its send time (${when(d)}) has passed: sending it now.`);
    // Against a deployment the deployed compose-issue sends it, as its schedule would; here, `send` does.
    if (app.config.deployment) {
      output.out(
        `compose-issue (${app.config.deployment.functions.composeIssue}): ${await reviewActions(app).sendNow()}`,
      );
      return 0;
    }
    return sendCommand({ config: flags.config, state: flags.state, now: flags.now?.() }, output);
  });
}

export async function holdCommand(flags: ReviewFlags, output: Output): Promise<number> {
  const { deps } = await openReview(flags, output);
  return act(output, async () => {
    const d = await holdDraft(deps, { issue: flags.issue, by: 'cli' });
    output.out(
      `Held issue #${d.issue}: it does not go out ${when(d)}. Its links stay unsent and go into the next draft.`,
    );
    output.out('`pinboard-digest approve` lets it go after all.');
    return 0;
  });
}

export async function noteCommand(flags: ReviewFlags & { text: string }, output: Output): Promise<number> {
  const { deps } = await openReview(flags, output);
  return act(output, async () => {
    const d = await noteDraft(deps, { issue: flags.issue, by: 'cli' }, flags.text);
    output.out(
      d.record.model.editorNote
        ? `Note of the day set for issue #${d.issue} (${d.record.model.editorNote.length} characters).`
        : `Note of the day removed from issue #${d.issue}.`,
    );
    const preflight = d.events.findLast((e) => e.action === 'preflight');
    output.out(
      preflight?.detail?.startsWith('failed')
        ? `A fresh preflight could NOT be mailed (${preflight.detail}).`
        : `A fresh preflight was mailed to ${deps.settings.to}.`,
    );
    return 0;
  });
}

function issueFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const issue = Number(value);
  if (!/^[1-9]\d{0,8}$/.test(String(value))) throw new UsageError(`--issue: "${value}" is not an issue number`);
  return issue;
}

const REVIEW_HELP = `Needs "review" (and "schedule") in the config: { "mode": "auto" | "approve", "leadHours": 24, "to": ADDRESS }.`;

export const draft: Command = {
  name: 'draft',
  summary: 'compose the next issue as a draft and mail its preflight to the review address',
  help: `Usage: pinboard-digest draft [--config F]

Composes the next issue for the next scheduled send and keeps it as a draft: not sent, not on
the archive, its links not marked sent. Mails the preflight to review.to: the issue as readers
will see it, under what went in and what was left out, its size, when it goes and to how many,
and links to approve, hold or add a note. Run it leadHours before the send (on AWS a schedule
does). A draft already made for that send is kept; a held one is replaced.

${REVIEW_HELP}`,
  options: {},
  run: ({ common }, output) => draftCommand(common, output),
};

export const approve: Command = {
  name: 'approve',
  summary: 'approve the next issue: it goes out at its send time (at once if that has passed)',
  help: `Usage: pinboard-digest approve [--issue N]

Approves the draft of the next issue. Its bookmarks are read again first; if they changed, the
draft is composed again (its note kept) and the changes are listed. Past the send time, the
issue is sent at once. --issue N must name the next issue.

${REVIEW_HELP}`,
  options: { issue: { type: 'string' } },
  run: ({ values, common }, output) => approveCommand({ ...common, issue: issueFlag(values.issue) }, output),
};

export const hold: Command = {
  name: 'hold',
  summary: 'hold the next issue: nothing goes out; its links go into the next draft',
  help: `Usage: pinboard-digest hold [--issue N]

Holds the draft of the next issue: at its send time nothing is sent. Its links stay unsent: the
next draft composes them again. \`approve\` undoes a hold.

${REVIEW_HELP}`,
  options: { issue: { type: 'string' } },
  run: ({ values, common }, output) => holdCommand({ ...common, issue: issueFlag(values.issue) }, output),
};

export const note: Command = {
  name: 'note',
  summary: 'set the note of the day of the next issue (shown above its sections)',
  help: `Usage: pinboard-digest note [--issue N] TEXT
       pinboard-digest note [--issue N] --file note.md

Sets the note of the day of the next issue's draft: plain text, or paragraphs, *emphasis*,
**strong** and [links](https://…); anything else is shown as written. It appears above the
sections in the email, on the archive page and in the feeds. A new note replaces the old one
and mails a fresh preflight; an empty TEXT ("") removes it.

${REVIEW_HELP}`,
  options: { issue: { type: 'string' }, file: { type: 'string' } },
  run: async ({ values, positionals, common }, output) => {
    if (typeof values.file === 'string' && positionals.length > 0)
      throw new UsageError('give TEXT or --file, not both');
    let text: string;
    if (typeof values.file === 'string') {
      try {
        text = await readFile(values.file, 'utf8');
      } catch (cause) {
        throw new UsageError(`--file: cannot read ${values.file}: ${(cause as Error).message}`);
      }
    } else if (positionals.length > 0) text = positionals.join(' ');
    else throw new UsageError('give the note as TEXT or --file FILE');
    return noteCommand({ ...common, issue: issueFlag(values.issue), text }, output);
  },
};
