/** Composes the next issue from source bookmarks and history. Pure: rendering is passed in as a function. */

import { RenderError } from './errors';
import { largestFitting } from './fit';
import { groupIntoSections, type SectionRule } from './group';
import { mailBytes } from './line-endings';
import {
  type AppliedChecks,
  applyLinkChecks,
  type LinkCheckPolicy,
  type LinkCheckReport,
  type LinkOutcome,
  watermarkFor,
} from './link-check';
import type { Bookmark, IssueModel, IssueRecord, RenderedIssue } from './model';
import { type SelectOptions, type SelectReport, selectBookmarks } from './select';
import { normalizeUrl } from './url';

/** Fills templates for one issue; `unsubscribeUrl` is written wherever the subscriber's link goes. */
export type RenderIssue = (model: IssueModel, unsubscribeUrl: string) => RenderedIssue;

export interface ComposeOptions extends SelectOptions {
  sections?: SectionRule[];
  otherSectionTitle: string;
  /**
   * The HTML body's budget in bytes, personalized, as the reader's client gets it: decoded, UTF-8, CRLF
   * lines. Default 95,000, under Gmail's ~102 KB clip, which is quoted as an HTML document size and cuts
   * through the decoded markup; reports of the exact point vary by a few KB, with the transfer encoding
   * among other things (hteumeuleu/email-bugs#41, spamresource.com 2022), which is the default's margin.
   * The encoded size is kept honest by the encoding instead: each part goes in the smaller of
   * quoted-printable and base64 (render/message.ts), so what is sent is at most 1.37× this (an English
   * issue stays near 1×) and a Cyrillic or CJK issue is not cut to 70 KB of content to pay for base64.
   */
  maxHtmlBytes: number;
  /** The author's time zone (the schedule's): the monthly round-up goes with the first issue of each month in it. */
  timeZone?: string;
}

export interface ComposeInput {
  bookmarks: readonly Bookmark[];
  issueNumber: number;
  from: string;
  now: string;
  sentLinks: ReadonlySet<string>;
  options: ComposeOptions;
  render: RenderIssue;
  /** Stands where each subscriber's unsubscribe URL goes until personalization. */
  placeholder: string;
  /** An unsubscribe URL as long as any real one, to measure the personalized size against the budget. */
  sampleUnsubscribeUrl: string;
  /** The candidates' link check (by normalized URL) and what a dead link does; absent when links are not checked. */
  linkCheck?: { outcomes: ReadonlyMap<string, LinkOutcome>; policy: LinkCheckPolicy };
}

export interface ComposeReport extends SelectReport {
  eligible: number;
  /** Carried to the next issue because of `maxBookmarks`. */
  carriedByCount: number;
  /** Carried to the next issue because the HTML would pass the size budget. */
  carriedBySize: number;
  htmlBytes: number;
  /** The links carried (by count, then by size), for the author's preflight; absent when none were. */
  carriedLinks?: { url: string; title: string; why: 'over the limit' | 'over the size budget' }[];
  /** Present when links were checked. */
  linkCheck?: LinkCheckReport;
}

export type ComposeResult =
  | { kind: 'nothing'; report: ComposeReport; reason: string }
  | { kind: 'issue'; record: IssueRecord; report: ComposeReport };

function buildModel(
  input: ComposeInput,
  included: Bookmark[],
  carriedOver: number,
  checks: AppliedChecks | undefined,
): IssueModel {
  const sections = groupIntoSections(included, input.options);
  return {
    issue: input.issueNumber,
    subject: '',
    preheader: '',
    window: { from: input.from, to: input.now },
    sections,
    bookmarkCount: included.length,
    carriedOver,
    ...(checks ? { deadLinks: checks.report.dead } : {}),
  };
}

/** The normalized URLs an issue uses up: its links (both addresses of a moved one) and the dropped dead ones. */
function usedLinks(included: readonly Bookmark[], checks: AppliedChecks | undefined): string[] {
  const urls = included.flatMap((b) => {
    const original = checks?.originalUrls.get(b.url);
    return original ? [b.url, original] : [b.url];
  });
  for (const b of checks?.dropped ?? []) urls.push(b.url);
  return [...new Set(urls.map(normalizeUrl))];
}

/**
 * The HTML's size as a reader's client gets it, the size budget's measure: personalized with an unsubscribe
 * URL as long as any real one, decoded, UTF-8, CRLF lines.
 */
export function personalizedHtmlBytes(html: string, placeholder: string, sampleUnsubscribeUrl: string): number {
  return mailBytes(html.split(placeholder).join(sampleUnsubscribeUrl));
}

/**
 * Inputs: source bookmarks, the next issue number, the window start, sent links, options, a renderer.
 * Output: an issue record ready to deliver (status `composed`), or `nothing` with the reason.
 * 1. Select eligible bookmarks (privacy, tags, scheme, window, dedupe). With a link check, dead links are
 *    dropped, held or marked and redirected ones moved to their final URL (core/link-check.ts). Cut at
 *    `maxBookmarks`.
 * 2. Fewer than `minBookmarks`: nothing to send, state unchanged.
 * 3. Render; while the personalized HTML (decoded, CRLF) passes `maxHtmlBytes`, carry links from the newest end
 *    (binary search for the most links that fit). A template too big for even one link is a RenderError.
 * 4. Watermark = newest included `savedAt`, kept back to the oldest held link's; links = normalized URLs of
 *    the included bookmarks (original and final URL of a moved one) and of the dropped dead ones.
 */
export function composeIssue(input: ComposeInput): ComposeResult {
  const { options } = input;
  const selection = selectBookmarks({
    bookmarks: input.bookmarks,
    from: input.from,
    to: input.now,
    sentLinks: input.sentLinks,
    options,
  });
  let { selected, carried } = selection;
  let checks: AppliedChecks | undefined;
  if (input.linkCheck) {
    const { outcomes, policy } = input.linkCheck;
    checks = applyLinkChecks([...selected, ...carried], outcomes, policy, input.now, input.sentLinks);
    selected = checks.kept.slice(0, options.maxBookmarks);
    carried = checks.kept.slice(options.maxBookmarks);
  }
  const eligible = selected.length + carried.length;
  const report: ComposeReport = {
    ...selection.report,
    duplicate: selection.report.duplicate + (checks?.duplicate ?? 0),
    eligible,
    carriedByCount: carried.length,
    carriedBySize: 0,
    htmlBytes: 0,
    ...(checks ? { linkCheck: checks.report } : {}),
  };
  if (eligible < Math.max(1, options.minBookmarks)) {
    return {
      kind: 'nothing',
      report,
      reason:
        eligible === 0
          ? `no new links since ${input.from}`
          : `${eligible} eligible link${eligible === 1 ? '' : 's'}, fewer than minBookmarks (${options.minBookmarks})`,
    };
  }

  const attempt = (count: number) => {
    const included = selected.slice(0, count);
    const model = buildModel(input, included, eligible - count, checks);
    const rendered = input.render(model, input.placeholder);
    const bytes = personalizedHtmlBytes(rendered.html, input.placeholder, input.sampleUnsubscribeUrl);
    return { included, model, rendered, bytes };
  };

  // Size grows with the count: the most links that fit, in O(log n) renders.
  const best = largestFitting(selected.length, attempt, (tried) => tried.bytes <= options.maxHtmlBytes);
  if (!best) {
    throw new RenderError(
      `even a one-link issue renders to more than maxHtmlBytes (${options.maxHtmlBytes} bytes): shorten the templates or raise the budget`,
    );
  }
  report.carriedBySize = selected.length - best.included.length;
  report.htmlBytes = best.bytes;
  const carriedLinks = [
    ...selected
      .slice(best.included.length)
      .map((b) => ({ url: b.url, title: b.title, why: 'over the size budget' as const })),
    ...carried.map((b) => ({ url: b.url, title: b.title, why: 'over the limit' as const })),
  ];
  if (carriedLinks.length > 0) report.carriedLinks = carriedLinks;

  const newest = best.included[best.included.length - 1];
  if (!newest) throw new RenderError('internal: an issue with no links');
  const model: IssueModel = { ...best.model, subject: best.rendered.subject, preheader: best.rendered.preheader };
  return {
    kind: 'issue',
    report,
    record: {
      issue: input.issueNumber,
      status: 'composed',
      model,
      rendered: best.rendered,
      placeholder: input.placeholder,
      watermark: watermarkFor(newest.savedAt, checks?.held ?? []),
      links: usedLinks(best.included, checks),
      composedAt: input.now,
    },
  };
}

/** How the sources read for an issue fared: how many were read, and which were not and why. */
export interface SourcesReport {
  read: number;
  failed: { source: string; reason: string }[];
}
