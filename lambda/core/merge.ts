/**
 * Bookmarks from several sources → one list, one bookmark per link. Pure. Each source has its own window
 * start (a source that was down catches up from where it stopped), so the window is applied here, per
 * source, before selection sees the merged list.
 */
import type { Bookmark } from './model';
import { normalizeUrl } from './url';

export interface SourceBookmarks {
  bookmarks: readonly Bookmark[];
  /** This source's window start (inclusive). */
  from: string;
}

export interface MergedBookmarks {
  /** One per normalized URL, in the order first seen (sources in config order). */
  bookmarks: Bookmark[];
  /** Copies outside their own source's window, of links with no copy inside one. */
  outsideWindow: number;
  /** Further copies of a link that was kept (merged into it). */
  duplicate: number;
}

/** Tags of all copies, each once (compared case-insensitively, first spelling kept). */
function mergeTags(copies: readonly Bookmark[]): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const tag of copies.flatMap((c) => c.tags)) {
    const key = tag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

/**
 * 1. Group every copy of every source by normalized URL (lambda/core/url.ts).
 * 2. A link is kept when at least one copy lies in its own source's window [from, to]; else it is counted
 *    outside the window.
 * 3. A kept link takes the earliest in-window time, the tags of all copies, the URL, title and note of the
 *    first copy in source order (a missing title or note is filled from a later one). What holds a link
 *    back in one source holds it back everywhere: it is private if any copy is private, to-read if any copy
 *    is, and any copy's tags count for `excludeTags`, so nothing one source keeps back leaks through another.
 */
export function mergeSources(sources: readonly SourceBookmarks[], to: string): MergedBookmarks {
  const end = Date.parse(to);
  const groups = new Map<string, { copies: Bookmark[]; inWindow: Bookmark[] }>();
  for (const source of sources) {
    const start = Date.parse(source.from);
    for (const b of source.bookmarks) {
      const key = normalizeUrl(b.url);
      let group = groups.get(key);
      if (!group) {
        group = { copies: [], inWindow: [] };
        groups.set(key, group);
      }
      group.copies.push(b);
      const at = Date.parse(b.savedAt);
      if (at >= start && at <= end) group.inWindow.push(b);
    }
  }

  const merged: MergedBookmarks = { bookmarks: [], outsideWindow: 0, duplicate: 0 };
  for (const { copies, inWindow } of groups.values()) {
    const [first] = copies;
    if (!first || inWindow.length === 0) {
      merged.outsideWindow += copies.length;
      continue;
    }
    merged.duplicate += copies.length - 1;
    const earliest = inWindow.reduce((a, b) => (Date.parse(b.savedAt) < Date.parse(a.savedAt) ? b : a));
    merged.bookmarks.push({
      url: first.url,
      title: copies.find((c) => c.title.trim() !== '')?.title ?? first.title,
      note: copies.find((c) => c.note.trim() !== '')?.note ?? first.note,
      tags: mergeTags(copies),
      savedAt: earliest.savedAt,
      shared: copies.every((c) => c.shared),
      toread: copies.some((c) => c.toread),
    });
  }
  return merged;
}
