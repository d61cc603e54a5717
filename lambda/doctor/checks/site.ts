/**
 * siteUrl answers, and serves the unsubscribe route: `GET siteUrl/unsubscribe` without a token must give the
 * subscription API's "This link does not work" answer (400, `invalid-link`), which shows the route reaches the
 * API (lambda/http/handler.ts), not an archive page or a 404. A local siteUrl (`serve`) is only a note: not up
 * with the outbox, or at all with SES (readers' links must not lead to this machine). Pure judgements.
 */
import { isLoopbackUrl, siteBase } from '../../core/site-url';
import { type Check, type CheckResult, fail, pass, warn } from '../check';
import type { HttpProbe, PageFacts } from '../ports';

const SITE = { id: 'site', title: 'Site' };
const UNSUBSCRIBE = { id: 'site-unsubscribe', title: 'Unsubscribe route' };
const ROUTE_FIX =
  'route /unsubscribe (and /subscribe, /confirm) to the subscription API: see "One address for readers" in the README';

type Answer = PageFacts | { error: string };

function notAnswering(siteUrl: string): string {
  return isLoopbackUrl(siteUrl)
    ? "start `pinboard-digest serve` (it listens on siteUrl's port), or set siteUrl to the deployed address"
    : 'check that the deployment is up and siteUrl is its address (the SubscriptionApiUrl output, or the CloudFront domain)';
}

/**
 * A local siteUrl when SES sends: fine for `send --to` yourself while `serve` runs, but links in readers' mail
 * would lead nowhere. A note, whatever the site answers.
 */
function linksToThisMachine(siteUrl: string, what: { id: string; title: string }): CheckResult {
  return warn(
    what.id,
    what.title,
    `siteUrl ${siteUrl} is this machine: links in mail sent through SES lead nowhere for anyone else`,
    'before mailing readers, set siteUrl to the deployed https address (the SubscriptionApiUrl output, or your domain on CloudFront)',
  );
}

/** No answer at all: a note for a local site with the outbox, else a failure. */
function noAnswer(siteUrl: string, what: { id: string; title: string }, text: string, fix: string): CheckResult {
  return isLoopbackUrl(siteUrl)
    ? warn(what.id, what.title, `${text} (needed only to try the links of the outbox's mail)`, notAnswering(siteUrl))
    : fail(what.id, what.title, text, fix);
}

export function judgeSite(siteUrl: string, page: Answer, ses = false): CheckResult {
  if (ses && isLoopbackUrl(siteUrl)) return linksToThisMachine(siteUrl, SITE);
  if ('error' in page)
    return noAnswer(siteUrl, SITE, `${siteUrl} does not answer: ${page.error}`, notAnswering(siteUrl));
  const took = `${Math.round(page.ms)} ms`;
  if (page.status >= 500) {
    return fail(
      SITE.id,
      SITE.title,
      `${siteUrl} answers HTTP ${page.status} (${took})`,
      "look at the function's log (or serve's output) for the error",
    );
  }
  if (page.status >= 400) {
    return warn(
      SITE.id,
      SITE.title,
      `${siteUrl} answers HTTP ${page.status} (${took}): readers who open it find no sign-up page`,
      'point siteUrl at the subscription API or the CloudFront distribution in front of it',
    );
  }
  return pass(SITE.id, SITE.title, `${siteUrl} answers HTTP ${page.status} (${took})`);
}

/** The API's answer to a token-less unsubscribe, as JSON (asked for) or as its page. */
export function judgeUnsubscribeRoute(siteUrl: string, page: Answer, ses = false): CheckResult {
  const url = `${siteBase(siteUrl)}/unsubscribe`;
  if (ses && isLoopbackUrl(siteUrl)) return linksToThisMachine(siteUrl, UNSUBSCRIBE);
  if ('error' in page) return noAnswer(siteUrl, UNSUBSCRIBE, `GET ${url} does not answer: ${page.error}`, ROUTE_FIX);
  let code: unknown;
  try {
    code = (JSON.parse(page.body) as { status?: unknown }).status;
  } catch {
    code = /This link does not work/.test(page.body) ? 'invalid-link' : undefined;
  }
  if (page.status === 400 && code === 'invalid-link') {
    return pass(
      UNSUBSCRIBE.id,
      UNSUBSCRIBE.title,
      `GET ${url} without a token gives the "This link does not work" answer (400)`,
    );
  }
  return fail(
    UNSUBSCRIBE.id,
    UNSUBSCRIBE.title,
    `GET ${url} without a token answers HTTP ${page.status}${code ? ` (${String(code)})` : ''}, not the subscription API's "This link does not work" (400): unsubscribe links in mail would not work`,
    ROUTE_FIX,
  );
}

export function siteChecks(http: HttpProbe, siteUrl: string, ses: boolean): Check[] {
  const answer = (url: string, accept: string, signal: AbortSignal): Promise<Answer> =>
    http.get(url, accept, signal).catch((error: Error) => ({ error: causeOf(error) }));
  return [
    {
      ...SITE,
      fix: notAnswering(siteUrl),
      run: async (signal) => judgeSite(siteUrl, await answer(siteUrl, 'text/html', signal), ses),
    },
    {
      ...UNSUBSCRIBE,
      fix: notAnswering(siteUrl),
      run: async (signal) =>
        judgeUnsubscribeRoute(
          siteUrl,
          await answer(`${siteBase(siteUrl)}/unsubscribe`, 'application/json', signal),
          ses,
        ),
    },
  ];
}

/** fetch's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ENOTFOUND, a certificate problem. */
function causeOf(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
