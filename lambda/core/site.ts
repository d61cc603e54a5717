/**
 * The digest on the web, as data: which issues the site shows, where each file goes, what it is served as,
 * and in which order files are written (an issue's page before the index and feeds that link to it). Pure:
 * the pages and feeds are rendered in render/site*.ts, written by a `SitePublisher` adapter.
 *
 *   issues/N/index.html   one page per issue (served as siteUrl/issues/N/)
 *   issues/index.html     every issue, newest first
 *   issues/atom.xml, issues/rss.xml, issues/feed.json   the newest FEED_ISSUES issues, full content
 *   site.css              the one stylesheet (no inline style or script: a strict CSP holds)
 *   index.html            the archive index again, at the root (links written from there)
 */
import type { IssueRecord, IssueStatus } from './model';
import { siteBase } from './site-url';

/** How many of the newest issues the feeds carry, each with its full content. */
export const FEED_ISSUES = 20;

export const SITE_PATHS = {
  index: 'issues/index.html',
  rootIndex: 'index.html',
  css: 'site.css',
  atom: 'issues/atom.xml',
  rss: 'issues/rss.xml',
  json: 'issues/feed.json',
} as const;

/** Where an issue's page is written; it is served as `issueUrlPath(n)`. */
export const issuePagePath = (issue: number) => `issues/${issue}/index.html`;
/** The public path of an issue's page (a folder: `siteUrl/issues/N/`). */
export const issueUrlPath = (issue: number) => `issues/${issue}/`;

/** The absolute URL of an issue's page: what "View in your browser" and the feeds link to. */
export const issueUrl = (siteUrl: string, issue: number) => `${siteBase(siteUrl)}/${issueUrlPath(issue)}`;

export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;

/**
 * Browser and CloudFront caching. A page is written once and rarely again (a template change); the index and
 * the feeds change with every issue, so they are trusted for five minutes only.
 */
export const CACHE_CONTROL = {
  page: 'public, max-age=3600',
  list: 'public, max-age=300',
} as const;

/** The one policy every page can keep: nothing runs, nothing is fetched but the site's own stylesheet. */
export const SITE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

export interface SiteFile {
  /** Relative to the site root, `/`-separated. */
  path: string;
  body: string;
  contentType: string;
  cacheControl: string;
}

/**
 * What to write, in order: every file of a batch is written before any file of the next starts. Pages come
 * first, so no index or feed ever links to a page that is not there yet.
 */
export type SiteBatches = SiteFile[][];

/** An issue as the index lists it: what the store's issue list holds, no body needed. */
export interface SiteEntry {
  issue: number;
  subject: string;
  bookmarkCount: number;
  /** When the page went up (the issue was composed): stable, so feeds do not churn. */
  publishedAt: string;
}

/** What the store's list says of an issue (Store.listIssues). */
export interface IssueListing {
  issue: number;
  status: IssueStatus;
  subject: string;
  bookmarkCount: number;
  composedAt: string;
}

/** Issues that have gone (or are going) out: `sent`, `sending`. A composed issue nobody got is not shown. */
export const isOnSite = (issue: { status: IssueStatus }) => issue.status === 'sent' || issue.status === 'sending';

export const siteEntryOf = (i: IssueListing): SiteEntry => ({
  issue: i.issue,
  subject: i.subject,
  bookmarkCount: i.bookmarkCount,
  publishedAt: i.composedAt,
});

/**
 * The issues the site shows, newest first, one per number. `current` (the issue being sent, or a preview
 * that is never stored) is always shown and wins over a stored issue of the same number.
 */
export function siteEntries(stored: readonly IssueListing[], current?: IssueRecord): SiteEntry[] {
  const byNumber = new Map<number, SiteEntry>();
  for (const listing of stored) if (isOnSite(listing)) byNumber.set(listing.issue, siteEntryOf(listing));
  if (current)
    byNumber.set(
      current.issue,
      siteEntryOf({ ...current, subject: current.model.subject, bookmarkCount: current.model.bookmarkCount }),
    );
  return [...byNumber.values()].sort((a, b) => b.issue - a.issue);
}

/**
 * The issues whose content a build needs: the pages it writes and the newest FEED_ISSUES (the feeds carry
 * full content). `pages` undefined: every page (a rebuild).
 */
export function contentNeeded(entries: readonly SiteEntry[], pages?: readonly number[]): number[] {
  const wanted = new Set(entries.slice(0, FEED_ISSUES).map((e) => e.issue));
  for (const n of pages ?? entries.map((e) => e.issue)) wanted.add(n);
  return [...wanted].sort((a, b) => b - a);
}

/** The pages publishing `issue` changes: its own, and the one before it on the site (it gains a "next" link). */
export function pagesChangedBy(entries: readonly SiteEntry[], issue: number): number[] {
  const at = entries.findIndex((e) => e.issue === issue);
  if (at < 0) return [];
  const previous = entries[at + 1]?.issue;
  return previous === undefined ? [issue] : [issue, previous];
}

/** Orders a built site into batches: pages and the stylesheet, then the indexes, then the feeds. */
export function batchesOf(files: { pages: SiteFile[]; lists: SiteFile[]; feeds: SiteFile[] }): SiteBatches {
  return [files.pages, files.lists, files.feeds].filter((batch) => batch.length > 0);
}
