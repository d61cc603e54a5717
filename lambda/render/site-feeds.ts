/**
 * Atom 1.0, RSS 2.0 and JSON Feed 1.1 of the newest issues, each entry an issue with its full content, all
 * written by the npm package `feed` (no hand-made XML). Deterministic: every date comes from the issues.
 */
import type { Feed as FeedClass, FeedOptions, Item } from 'feed';
import { SITE_PATHS } from '../core/site';
import { siteBase } from '../core/site-url';
import type { IssueView } from './issue-view';
import type { SiteContext, SiteRenderer } from './site-pages';

type FeedModule = { Feed: typeof FeedClass };

let feedModule: FeedModule | undefined;

/**
 * `feed` 6 is an ES module, loaded on first use: the bundle (esbuild) and tsx turn this `require` into
 * theirs, and a module that imports this one (the wiring, every handler) stays loadable where ES modules
 * cannot be required (jest's loader: tests load it through Node, see tests/helpers/node-require.ts).
 */
function loadFeed(): FeedModule {
  feedModule ??= require('feed') as FeedModule;
  return feedModule;
}

/** Text for an element the feed declares as HTML (Atom `type="html"`, RSS titles as readers treat them). */
const asHtmlText = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface SiteFeeds {
  atom: string;
  rss: string;
  json: string;
}

/** The three feeds over `issues` (newest first; the caller keeps only the newest few). */
export function buildFeeds(issues: readonly IssueView[], context: SiteContext, renderer: SiteRenderer): SiteFeeds {
  const { Feed } = loadFeed();
  const base = siteBase(context.siteUrl);
  const home = `${base}/issues/`;
  const feedLinks = {
    atom: `${base}/${SITE_PATHS.atom}`,
    rss: `${base}/${SITE_PATHS.rss}`,
    json: `${base}/${SITE_PATHS.json}`,
  };
  // Updated: the newest issue; an empty archive says the epoch rather than "now", so builds are repeatable.
  const updated = new Date(issues[0]?.published ?? 0);
  const contents = issues.map((issue) => renderer.feedContent(issue));

  const make = (htmlTitles: boolean, self: string) => {
    const options: FeedOptions = {
      id: home,
      title: htmlTitles ? asHtmlText(context.title) : context.title,
      description: context.intro,
      link: home,
      language: context.lang,
      updated,
      generator: false,
      feed: self,
      feedLinks,
      author: { name: context.title, link: base },
    };
    const feed = new Feed(options);
    issues.forEach((issue, i) => {
      const item: Item = {
        id: issue.url,
        link: issue.url,
        title: htmlTitles ? asHtmlText(issue.subject) : issue.subject,
        date: new Date(issue.published),
        published: new Date(issue.published),
        description: htmlTitles ? asHtmlText(issue.summary) : issue.summary,
        content: contents[i] ?? '',
      };
      feed.addItem(item);
    });
    return feed;
  };

  return {
    atom: make(true, feedLinks.atom).atom1(),
    rss: make(true, feedLinks.rss).rss2(),
    json: jsonFeed11(make(false, feedLinks.json).json1(), context),
  };
}

/**
 * `feed` 6.0.0 labels its JSON output version 1 and writes 1.0's `author`; JSON Feed 1.1 adds `authors` (an
 * array, `author` kept for 1.0 readers) and `language`. The rest of the output is 1.1 as it is.
 */
function jsonFeed11(json: string, context: SiteContext): string {
  const feed = JSON.parse(json) as Record<string, unknown>;
  const { version: _old, author, ...rest } = feed;
  const upgraded = {
    version: 'https://jsonfeed.org/version/1.1',
    ...rest,
    language: context.lang,
    ...(author ? { authors: [author], author } : {}),
  };
  return `${JSON.stringify(upgraded, null, 2)}\n`;
}
