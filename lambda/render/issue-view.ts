/**
 * One view of an issue: what the email, the archive's pages and the feeds show of it (its number, subject,
 * date, link count, permalink, summary line, the author's note and its links by section), made here and
 * nowhere else. Pure: values in, values out. Each output hands these values to its templates under the names those templates
 * read (render/renderer.ts for the email, render/site-pages.ts and render/site-feeds.ts for the site).
 *
 * Only http(s) links are shown: selection already keeps every other scheme out of an issue
 * (core/select.ts), and the view keeps them out of any record that holds one all the same.
 */
import Handlebars from 'handlebars';
import type { IssueModel, Section } from '../core/model';
import { noteHtml, noteText } from '../core/note';
import { issueUrl, type SiteEntry } from '../core/site';
import { displayHost, isWebUrl } from '../core/url';
import { pluralsFor } from './plural';

/** What the view needs to know of the digest: where it lives, its language and time zone, its tag pages. */
export interface IssueViewContext {
  siteUrl: string;
  lang: string;
  /** Time zone the issue's date is shown in. */
  timeZone: string;
  /** A tag's page, when the source is Pinboard. */
  tagUrl?: (tag: string) => string;
}

/** What is known of an issue: the store's list of it (an index entry), and its links when they were read. */
export interface IssueFacts extends SiteEntry {
  /** Its links by section; absent where only the list was read (the index), shown as none. */
  sections?: readonly Section[];
  /** The author's note of the day as written (core/model.ts `editorNote`); absent when it has none. */
  editorNote?: string;
}

/** The author's note, made once for every output (the markup: core/note.ts). */
export interface NoteView {
  /**
   * The note as HTML, already escaped: a Handlebars SafeString, which `{{editorNote.html}}` puts in as it is
   * (Handlebars escapes a value unless it has a `toHTML`), so no template needs `{{{…}}}` for it.
   */
  html: Handlebars.SafeString;
  /** The note as plain text: paragraphs apart by a blank line, line breaks kept, links as `text (url)`. */
  text: string;
}

export interface TagView {
  name: string;
  /** The tag's page; absent when the source has none (or it is not http(s)). */
  url?: string;
}

export interface BookmarkView {
  url: string;
  title: string;
  note: string;
  /** The link's host as a reader recognises it (`example.org`, no `www.`). */
  host: string;
  tags: TagView[];
}

export interface SectionView {
  title: string;
  bookmarks: BookmarkView[];
}

export interface IssueView {
  issue: number;
  subject: string;
  /** When the issue was composed, ISO-8601: the date the email, its page and its feed entry all show. */
  published: string;
  /** `published` in the digest's language and time zone: "November 23, 2026" (en), "23 November 2026" (en-GB). */
  dateLabel: string;
  count: number;
  /** The count with its word, in the digest's language: "1 link", "5 links", "5 ссылок". */
  countLabel: string;
  /** The issue's page in the archive: its permalink ("View in your browser", the feeds' links). */
  url: string;
  /** "Issue #3 · November 23, 2026 · 12 links": how a feed entry sums the issue up. */
  summary: string;
  /** The author's note of the day, shown above the sections; absent when the issue has none (or it is blank). */
  editorNote?: NoteView;
  /** Sections with their http(s) links; a section left without any is left out. */
  sections: SectionView[];
}

/** How an issue's date is written, in the email, on its archive page and in its feed entry, in `lang`. */
export const issueDateFormat = (lang: string, timeZone: string) =>
  new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric', timeZone });

/** What compose knows of an issue it is rendering: dated at the end of its window (its `composedAt`). */
export const issueFactsOf = (model: IssueModel): IssueFacts => ({
  issue: model.issue,
  subject: model.subject,
  bookmarkCount: model.bookmarkCount,
  publishedAt: model.window.to,
  sections: model.sections,
  editorNote: model.editorNote,
});

/** The note's view; none for no note, or one with nothing left once cleaned (core/note.ts). */
function noteView(note: string | undefined): { editorNote?: NoteView } {
  if (note === undefined) return {};
  const html = noteHtml(note);
  return html === '' ? {} : { editorNote: { html: new Handlebars.SafeString(html), text: noteText(note) } };
}

/** `url` when it is http(s), else nothing: the only links any page or email makes. */
export const webUrl = (url: string | undefined) => (url !== undefined && isWebUrl(url) ? url : undefined);

/**
 * The issue view for `context`'s digest: the date format and plural rules are made once here (a bad time
 * zone fails now, not at the first issue), the returned function makes each issue's view.
 */
export function createIssueView(context: IssueViewContext): (issue: IssueFacts) => IssueView {
  const plurals = pluralsFor(context.lang);
  const dateFormat = issueDateFormat(context.lang, context.timeZone);
  const bookmarkView = (b: Section['bookmarks'][number]): BookmarkView => ({
    url: b.url,
    title: b.title,
    note: b.note,
    host: displayHost(b.url),
    tags: b.tags.map((name) => ({ name, url: webUrl(context.tagUrl?.(name)) })),
  });
  const sectionViews = (sections: readonly Section[]): SectionView[] =>
    sections
      .map((s) => ({ title: s.title, bookmarks: s.bookmarks.filter((b) => isWebUrl(b.url)).map(bookmarkView) }))
      .filter((s) => s.bookmarks.length > 0);

  return (issue) => {
    const dateLabel = dateFormat.format(new Date(issue.publishedAt));
    const countLabel = plurals.links(issue.bookmarkCount);
    return {
      issue: issue.issue,
      subject: issue.subject,
      published: issue.publishedAt,
      dateLabel,
      count: issue.bookmarkCount,
      countLabel,
      url: issueUrl(context.siteUrl, issue.issue),
      summary: `Issue #${issue.issue} · ${dateLabel} · ${countLabel}`,
      ...noteView(issue.editorNote),
      sections: sectionViews(issue.sections ?? []),
    };
  };
}
