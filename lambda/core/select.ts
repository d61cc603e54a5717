/** Which bookmarks go into the next issue. Pure: every input, `now` included, is passed in. */
import type { Bookmark } from './model';
import { isWebUrl, normalizeUrl, schemeOf } from './url';

export interface SelectOptions {
  includeTags: string[];
  excludeTags: string[];
  includeToRead: boolean;
  minBookmarks: number;
  maxBookmarks: number;
}

export interface SelectInput {
  bookmarks: readonly Bookmark[];
  /** Window start (inclusive): the previous issue's watermark, or the first issue's start. */
  from: string;
  /** Window end (inclusive): now. */
  to: string;
  /** Normalized URLs already sent in earlier issues. */
  sentLinks: ReadonlySet<string>;
  options: SelectOptions;
}

/** Why bookmarks were left out; counts only, so nothing private can leak through a report. */
export interface SelectReport {
  private: number;
  toread: number;
  excludedTag: number;
  notIncludedTag: number;
  outsideWindow: number;
  duplicate: number;
  alreadySent: number;
  /** Links dropped for their scheme, by scheme (`javascript:` → 2). */
  unsupportedScheme: Record<string, number>;
}

export interface Selection {
  /** Eligible bookmarks in time order, oldest first, at most `maxBookmarks`. */
  selected: Bookmark[];
  /** Eligible bookmarks past `maxBookmarks`, the newest ones: they open the next issue. */
  carried: Bookmark[];
  report: SelectReport;
}

export const isPrivateTag = (tag: string): boolean => tag.startsWith('.');
export const publicTags = (tags: readonly string[]): string[] => tags.filter((t) => !isPrivateTag(t));

function hasAnyTag(bookmark: Bookmark, wanted: ReadonlySet<string>): boolean {
  return bookmark.tags.some((t) => wanted.has(t.toLowerCase()));
}

/**
 * Applies every selection rule (docs/FACTS.md, Contracts) in order:
 * 1. privacy (`shared: false` never passes), to-read, exclude and include tags;
 * 2. http(s) links only, other schemes counted by scheme;
 * 3. the window [from, to] (inclusive: ties with the watermark are caught by 4);
 * 4. links already sent, then duplicates inside the issue (normalized URL; the oldest save wins);
 * 5. oldest first, cut at `maxBookmarks`: the newest are carried, so the watermark never passes them.
 */
export function selectBookmarks(input: SelectInput): Selection {
  const { options } = input;
  const exclude = new Set(options.excludeTags.map((t) => t.toLowerCase()));
  const include = new Set(options.includeTags.map((t) => t.toLowerCase()));
  const report: SelectReport = {
    private: 0,
    toread: 0,
    excludedTag: 0,
    notIncludedTag: 0,
    outsideWindow: 0,
    duplicate: 0,
    alreadySent: 0,
    unsupportedScheme: {},
  };
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);

  const eligible: Bookmark[] = [];
  for (const b of input.bookmarks) {
    if (!b.shared) report.private++;
    else if (b.toread && !options.includeToRead) report.toread++;
    else if (hasAnyTag(b, exclude)) report.excludedTag++;
    else if (include.size > 0 && !hasAnyTag(b, include)) report.notIncludedTag++;
    else if (!isWebUrl(b.url)) {
      const scheme = schemeOf(b.url);
      report.unsupportedScheme[scheme] = (report.unsupportedScheme[scheme] ?? 0) + 1;
    } else {
      const at = Date.parse(b.savedAt);
      if (!(at >= from && at <= to)) report.outsideWindow++;
      else eligible.push(b);
    }
  }

  eligible.sort((a, b) => Date.parse(a.savedAt) - Date.parse(b.savedAt));
  const seen = new Set<string>();
  const unique: Bookmark[] = [];
  for (const b of eligible) {
    const key = normalizeUrl(b.url);
    if (input.sentLinks.has(key)) report.alreadySent++;
    else if (seen.has(key)) report.duplicate++;
    else {
      seen.add(key);
      unique.push(b);
    }
  }

  return {
    selected: unique.slice(0, options.maxBookmarks),
    carried: unique.slice(options.maxBookmarks),
    report,
  };
}
