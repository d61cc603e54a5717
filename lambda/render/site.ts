/**
 * The whole site, or the part an issue changes, as files in write order (core/site.ts): pages first, then
 * the indexes, then the feeds.
 */

import type { IssueRecord } from '../core/model';
import {
  batchesOf,
  CACHE_CONTROL,
  CONTENT_TYPES,
  FEED_ISSUES,
  issuePagePath,
  SITE_PATHS,
  type SiteBatches,
  type SiteEntry,
  type SiteFile,
} from '../core/site';
import { siteBase } from '../core/site-url';
import { createIssueView, type IssueView } from './issue-view';
import { buildFeeds } from './site-feeds';
import type { SiteContext, SiteRenderer } from './site-pages';

export interface SiteInput {
  /** Every issue on the site, newest first (core/site.ts `siteEntries`). */
  entries: readonly SiteEntry[];
  /** The content of at least the pages to write and the newest FEED_ISSUES (`contentNeeded`). */
  records: readonly IssueRecord[];
  /** Issue numbers whose pages to write; default every issue (a rebuild). */
  pages?: readonly number[];
}

/** The site's files for `input`, in batches: pages and the stylesheet, the indexes, the feeds. */
export function buildSite(input: SiteInput, renderer: SiteRenderer, context: SiteContext): SiteBatches {
  const { entries } = input;
  const records = new Map(input.records.map((r) => [r.issue, r]));
  const issueView = createIssueView(context);
  const content = (entry: SiteEntry): IssueView => {
    const record = records.get(entry.issue);
    if (!record) throw new Error(`site: issue #${entry.issue} is needed but its content was not read`);
    return issueView({ ...entry, sections: record.model.sections, editorNote: record.model.editorNote });
  };
  const wanted = input.pages ? new Set(input.pages) : undefined;
  const pages: SiteFile[] = [];
  entries.forEach((entry, i) => {
    if (wanted && !wanted.has(entry.issue)) return;
    pages.push({
      path: issuePagePath(entry.issue),
      body: renderer.issuePage(content(entry), { next: entries[i - 1]?.issue, previous: entries[i + 1]?.issue }),
      contentType: CONTENT_TYPES.html,
      cacheControl: CACHE_CONTROL.page,
    });
  });
  pages.push({
    path: SITE_PATHS.css,
    body: renderer.css,
    contentType: CONTENT_TYPES.css,
    cacheControl: CACHE_CONTROL.page,
  });

  const list = (path: string, body: string, contentType: string): SiteFile => ({
    path,
    body,
    contentType,
    cacheControl: CACHE_CONTROL.list,
  });
  const listed = entries.map((entry) => issueView(entry));
  const feeds = buildFeeds(entries.slice(0, FEED_ISSUES).map(content), context, renderer);
  return batchesOf({
    pages,
    lists: [
      list(SITE_PATHS.index, renderer.indexPage(listed, 'issues'), CONTENT_TYPES.html),
      list(SITE_PATHS.rootIndex, rootPage(listed, renderer, context), CONTENT_TYPES.html),
    ],
    feeds: [
      list(SITE_PATHS.atom, feeds.atom, CONTENT_TYPES.atom),
      list(SITE_PATHS.rss, feeds.rss, CONTENT_TYPES.rss),
      list(SITE_PATHS.json, feeds.json, CONTENT_TYPES.json),
    ],
  });
}

/** The root page: the signup page where the context gives one (AWS), else the index of every issue. */
function rootPage(issues: readonly IssueView[], renderer: SiteRenderer, context: SiteContext): string {
  if (!context.rootPage) return renderer.indexPage(issues, 'root');
  return context.rootPage({
    latestIssueUrl: issues[0]?.url,
    archiveUrl: `${siteBase(context.siteUrl)}/issues/`,
  });
}
