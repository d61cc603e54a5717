/**
 * Fills compiled templates with an issue. Bookmark text only ever enters as data: Handlebars escapes it
 * in HTML, and nothing from a bookmark is compiled as template source.
 */
import Handlebars from 'handlebars';
import type { RenderIssue } from '../core/compose';
import { RenderError } from '../core/errors';
import type { IssueModel } from '../core/model';
import { displayHost } from '../core/url';
import { createIssueView, issueFactsOf } from './issue-view';
import { preferencesPlaceholder } from './links';
import { type PluralForms, type Plurals, pluralsFor } from './plural';
import type { CompiledTemplates } from './templates';
import { LINE_BREAK_IN_VALUE, wrapText } from './wrap-text';

export interface RenderContext {
  title: string;
  intro?: string;
  footer?: string;
  siteUrl: string;
  lang: string;
  /** The author's Pinboard profile, when the source is Pinboard. */
  profileUrl?: string;
  /** A tag's page, when the source is Pinboard. */
  tagUrl?: (tag: string) => string;
  /** Time zone the issue date is shown in. */
  timeZone: string;
}

const PREHEADER_TITLES = 3;

const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

/**
 * `{{plural count one="# link" other="# links"}}`: the form `lang`'s plural rules pick for `count`, `#` the
 * number. Forms for the categories a language has (ru: one, few, many, other); `other` is required.
 */
function pluralHelper(plurals: Plurals) {
  return (count: unknown, options: Handlebars.HelperOptions) => {
    const hash = (options?.hash ?? {}) as Record<string, unknown>;
    const forms: Partial<PluralForms> = {};
    for (const category of PLURAL_CATEGORIES) {
      if (typeof hash[category] === 'string') forms[category] = hash[category] as string;
    }
    if (forms.other === undefined) throw new Error('the plural helper needs an other="…" form');
    return plurals.format(Number(count), forms as PluralForms);
  };
}

function compile(name: string, source: string, noEscape: boolean, plurals: Plurals): Handlebars.TemplateDelegate {
  const hbs = Handlebars.create();
  hbs.registerHelper('plural', pluralHelper(plurals));
  try {
    const template = hbs.compile(source, { noEscape, strict: false });
    template({}); // surfaces syntax errors now, not in the middle of a send
    return template;
  } catch (cause) {
    throw new RenderError(`template ${name}: ${(cause as Error).message}`, { cause });
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A note's own line breaks, kept for the text part as breaks the wrapper indents under the bullet. */
const noteLines = (s: string) =>
  s
    .split(/[ \t]*(?:\r\n|[\n\r\v\f\u0085\u2028\u2029])\s*/)
    .filter((line) => line.trim() !== '')
    .join(LINE_BREAK_IN_VALUE);

/** Compiles each template once; the returned function renders an issue in microseconds. */
export function createRenderer(templates: CompiledTemplates, context: RenderContext): RenderIssue {
  const plurals = pluralsFor(context.lang);
  const html = compile('digest.mjml', templates.html, false, plurals);
  const text = compile('digest.txt.hbs', templates.text, true, plurals);
  const subject = compile('subject.hbs', templates.subject, true, plurals);
  const preheader = compile('preheader.hbs', templates.preheader, true, plurals);
  const issueView = createIssueView(context);
  const siteHost = displayHost(context.siteUrl);

  return (model: IssueModel, unsubscribeUrl: string) => {
    const issue = issueView(issueFactsOf(model));
    const all = issue.sections.flatMap((s) => s.bookmarks);
    // The issue under the names the email templates read (README: Templates).
    const view = {
      ...context,
      tagUrl: undefined,
      siteHost,
      issue: issue.issue,
      count: issue.count,
      /** "1 link", "5 links", "5 ссылок": the count with its word, in `lang`. */
      countLabel: issue.countLabel,
      dateRange: issue.dateLabel,
      /** The issue's page in the archive ("View in your browser"). */
      issueUrl: issue.url,
      unsubscribeUrl,
      /** This reader's preferences page: its own placeholder until personalized (render/message.ts). */
      preferencesUrl: preferencesPlaceholder(unsubscribeUrl),
      firstTitles: all.slice(0, PREHEADER_TITLES).map((b) => oneLine(b.title)),
      moreCount: Math.max(0, all.length - PREHEADER_TITLES),
      /** The author's note: `.html` (a SafeString) for the HTML, `.text` for the text part. */
      editorNote: issue.editorNote,
      sections: issue.sections,
      /** A round-up's: its first and last issue, and the links left to the archive ("12 links") and where. */
      roundup: model.roundup && {
        first: model.roundup.issues[0],
        last: model.roundup.issues[model.roundup.issues.length - 1],
        more: model.roundup.more,
        moreLabel: plurals.links(model.roundup.more),
        archiveUrl: context.siteUrl,
      },
    };
    const subjectLine = oneLine(subject(view));
    const preheaderLine = oneLine(preheader(view));
    const withLines = { ...view, subject: subjectLine, preheader: preheaderLine };
    // The text part gets one-line titles and notes whose breaks stay under their bullet, then is wrapped
    // at 78; the unsubscribe URL (a placeholder until personalized) always gets a line of its own.
    const textView = {
      ...withLines,
      sections: withLines.sections.map((s) => ({
        ...s,
        title: oneLine(s.title),
        bookmarks: s.bookmarks.map((b) => ({ ...b, title: oneLine(b.title), note: noteLines(b.note) })),
      })),
    };
    return {
      subject: subjectLine,
      preheader: preheaderLine,
      html: html(withLines),
      text: wrapText(text(textView), { alone: [unsubscribeUrl, preferencesPlaceholder(unsubscribeUrl)] }),
    };
  };
}
