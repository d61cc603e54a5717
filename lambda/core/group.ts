/** Groups selected bookmarks into the sections of an issue. Pure. */
import type { Bookmark, IssueBookmark, Section } from './model';
import { publicTags } from './select';

export interface SectionRule {
  title: string;
  tags: string[];
}

export interface GroupOptions {
  /** Ordered rules; without them, sections are made from each bookmark's first public tag. */
  sections?: SectionRule[];
  otherSectionTitle: string;
}

/** Longest title and note shown: Pinboard allows 64 KB notes; one link must never break the size budget. */
export const MAX_TITLE_CHARS = 300;
export const MAX_NOTE_CHARS = 1200;

function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max
    ? chars.join('')
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** A bookmark as an issue shows it: public tags only, title and note trimmed to bounds, title never empty. */
export function toIssueBookmark(b: Bookmark): IssueBookmark {
  return {
    url: b.url,
    title: clip(b.title, MAX_TITLE_CHARS) || b.url,
    note: clip(b.note, MAX_NOTE_CHARS),
    tags: publicTags(b.tags),
    savedAt: b.savedAt,
  };
}

/**
 * 1. With rules: a bookmark joins the first section sharing a (case-insensitive) tag with it.
 * 2. Without: it joins the section named after its first public tag; groups of one fold into "other".
 * 3. The rest form the other section, always last. Empty sections are dropped. Order inside a section
 *    is the input order (oldest first).
 */
export function groupIntoSections(bookmarks: readonly Bookmark[], options: GroupOptions): Section[] {
  const groups = new Map<string, IssueBookmark[]>();
  const other: IssueBookmark[] = [];
  const add = (title: string, b: IssueBookmark) => {
    const list = groups.get(title);
    if (list) list.push(b);
    else groups.set(title, [b]);
  };

  if (options.sections && options.sections.length > 0) {
    const rules = options.sections.map((r) => ({ title: r.title, tags: new Set(r.tags.map((t) => t.toLowerCase())) }));
    for (const rule of rules) groups.set(rule.title, []);
    for (const b of bookmarks) {
      const shown = toIssueBookmark(b);
      const tags = shown.tags.map((t) => t.toLowerCase());
      const rule = rules.find((r) => tags.some((t) => r.tags.has(t)));
      if (rule) add(rule.title, shown);
      else other.push(shown);
    }
  } else {
    for (const b of bookmarks) {
      const shown = toIssueBookmark(b);
      const first = shown.tags[0];
      if (first) add(first, shown);
      else other.push(shown);
    }
    for (const [title, list] of groups) {
      if (list.length === 1) {
        other.push(...list);
        groups.delete(title);
      }
    }
    other.sort((a, b) => Date.parse(a.savedAt) - Date.parse(b.savedAt));
  }

  const sections = [...groups].map(([title, list]) => ({ title, bookmarks: list }));
  sections.push({ title: options.otherSectionTitle, bookmarks: other });
  return sections.filter((s) => s.bookmarks.length > 0);
}
