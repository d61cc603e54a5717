/**
 * The archive's pages from the author's Handlebars templates (templates/site/). Bookmark text only ever
 * enters as data, escaped by Handlebars; only http(s) links are rendered, as in the email.
 */
import Handlebars from 'handlebars';
import { RenderError } from '../core/errors';
import { issueUrlPath, SITE_CSP, SITE_PATHS } from '../core/site';
import { siteBase } from '../core/site-url';
import { type IssueView, webUrl } from './issue-view';

/** The template sources of the site, as the author wrote them (templates/site/). */
export interface SiteTemplates {
  /** An issue's page. */
  issue: string;
  /** The list of every issue. */
  index: string;
  /** Partials: the sections of an issue, the shared <head> lines, the footer. */
  sections: string;
  head: string;
  footer: string;
  /** An issue's full content in the feeds (HTML). */
  feedItem: string;
  /** The stylesheet, served as site.css. */
  css: string;
}

/** File names in templates/site/. */
export const SITE_TEMPLATE_FILES: Record<keyof SiteTemplates, string> = {
  issue: 'issue.hbs',
  index: 'index.hbs',
  sections: 'sections.hbs',
  head: 'head.hbs',
  footer: 'footer.hbs',
  feedItem: 'feed-item.hbs',
  css: 'site.css',
};

/** What the site says about itself (from the config). */
export interface SiteContext {
  title: string;
  intro?: string;
  lang: string;
  siteUrl: string;
  /** Time zone the issue dates are shown in. */
  timeZone: string;
  /** The author's Pinboard profile, when the source is Pinboard. */
  profileUrl?: string;
  /** A tag's page, when the source is Pinboard. */
  tagUrl?: (tag: string) => string;
  /** The signup page, linked from every page's footer. */
  subscribeUrl?: string;
  /**
   * The page at the site's root (`index.html`); default the index of every issue. On AWS the root is the
   * signup page, linking to the newest issue and the index.
   */
  rootPage?: (links: { latestIssueUrl?: string; archiveUrl: string }) => string;
}

/** The site's templates filled with issue views (render/issue-view.ts). */
export interface SiteRenderer {
  /** An issue's page; `previous`/`next` are the neighbouring issues on the site, if any. */
  issuePage(issue: IssueView, neighbours: { previous?: number; next?: number }): string;
  /** The index of every issue (newest first), written at `at` (its links are relative to it). */
  indexPage(issues: readonly IssueView[], at: 'issues' | 'root'): string;
  /** An issue's content as the feeds carry it: HTML, absolute links. */
  feedContent(issue: IssueView): string;
  css: string;
}

function compile(name: string, source: string, hbs: typeof Handlebars): Handlebars.TemplateDelegate {
  try {
    const template = hbs.compile(source, { strict: false });
    template({}); // surfaces syntax errors now, not halfway through a site
    return template;
  } catch (cause) {
    throw new RenderError(`template site/${name}: ${(cause as Error).message}`, { cause });
  }
}

/** Compiles the site's templates once; the returned renderer fills them per issue. */
export function createSiteRenderer(templates: SiteTemplates, context: SiteContext): SiteRenderer {
  const hbs = Handlebars.create();
  for (const partial of ['sections', 'head', 'footer'] as const) {
    compile(SITE_TEMPLATE_FILES[partial], templates[partial], hbs); // a broken partial is named, not its user
    hbs.registerPartial(partial, templates[partial]);
  }
  const issueTemplate = compile(SITE_TEMPLATE_FILES.issue, templates.issue, hbs);
  const indexTemplate = compile(SITE_TEMPLATE_FILES.index, templates.index, hbs);
  const feedTemplate = compile(SITE_TEMPLATE_FILES.feedItem, templates.feedItem, hbs);

  const base = siteBase(context.siteUrl);
  const feedUrls = {
    atom: `${base}/${SITE_PATHS.atom}`,
    rss: `${base}/${SITE_PATHS.rss}`,
    json: `${base}/${SITE_PATHS.json}`,
  };
  const common = {
    title: context.title,
    intro: context.intro,
    lang: context.lang,
    csp: SITE_CSP,
    feeds: feedUrls,
    profileUrl: webUrl(context.profileUrl),
    subscribeUrl: webUrl(context.subscribeUrl),
  };
  /** Links from a page `depth` folders below the root, relative, so the site works under any prefix. */
  const linksFrom = (up: string) => ({
    css: `${up}${SITE_PATHS.css}`,
    archive: `${up}issues/`,
    atom: `${up}${SITE_PATHS.atom}`,
    rss: `${up}${SITE_PATHS.rss}`,
    json: `${up}${SITE_PATHS.json}`,
  });

  /** An issue under the names templates/site/ read (README: The archive). */
  const fields = (v: IssueView) => ({
    issue: v.issue,
    subject: v.subject,
    published: v.published,
    dateLabel: v.dateLabel,
    countLabel: v.countLabel,
    url: v.url,
  });

  return {
    issuePage(issue, { previous, next }) {
      return issueTemplate({
        ...common,
        ...fields(issue),
        links: linksFrom('../../'),
        editorNote: issue.editorNote,
        sections: issue.sections,
        previous: previous === undefined ? undefined : { issue: previous, href: `../${previous}/` },
        next: next === undefined ? undefined : { issue: next, href: `../${next}/` },
      });
    },
    indexPage(issues, at) {
      const fromRoot = at === 'root';
      return indexTemplate({
        ...common,
        url: `${base}/issues/`,
        links: linksFrom(fromRoot ? '' : '../'),
        issues: issues.map((i) => ({ ...fields(i), href: fromRoot ? issueUrlPath(i.issue) : `${i.issue}/` })),
      });
    },
    feedContent(issue) {
      return feedTemplate({ ...common, ...fields(issue), editorNote: issue.editorNote, sections: issue.sections });
    },
    css: templates.css,
  };
}
