/**
 * The subscription API as one function from a plain request to a plain response, hosted by `serve` (node's
 * http) and by the subscription-api function (API Gateway). Routes:
 *   GET  /                   the signup page (a form that works without JavaScript)
 *   POST /subscribe          form or JSON `{ "email" }`: the same answer for every address (no enumeration)
 *   GET  /confirm?token=…    activates; expired, forged or wrong-purpose tokens get a page and change nothing
 *   GET  /unsubscribe?token= a page with one button: a GET never unsubscribes (mail scanners follow links)
 *   POST /unsubscribe?token= the button, or RFC 8058 one-click (`List-Unsubscribe=One-Click`): unsubscribes, 200
 * Every answer is a page or JSON that says what to do; an unexpected error is logged and answered with a
 * generic page, never a stack trace. Pages carry a strict Content-Security-Policy and no input unescaped.
 */
import { confirm, inspectUnsubscribe, type SubscriptionDeps, subscribe, unsubscribe } from '../jobs/subscription';
import { CONTENT_SECURITY_POLICY, messagePage, type PageSite, signupPage, unsubscribeFormPage } from './pages';
import { siteBase } from './site-url';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './types';

export interface SubscriptionSite {
  title: string;
  intro?: string;
  lang: string;
  /** The newest sent issue's number, if any (the signup page links to its archive page). */
  latestIssue?: () => Promise<number | undefined>;
}

export type SubscriptionHandler = (request: HttpRequest) => Promise<HttpResponse>;

/** The honeypot field: hidden from people, filled in by form-filling bots. */
export const HONEYPOT_FIELD = 'website';

/** How long the signup page trusts the latest issue number it read. */
const LATEST_ISSUE_TTL_MS = 5 * 60_000;

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // Tokens are in the URLs of these pages: never pass them on to another site.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

type Fields = Record<string, string>;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function wantsJson(request: HttpRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return /^application\/json\b/i.test(type) || (/application\/json/i.test(accept) && !/text\/html/i.test(accept));
}

/** The fields of a form or JSON body; a body of another type is refused (415). */
function parseBody(request: HttpRequest): Fields {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = request.body.toString('utf8');
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new BadRequest(400, 'The body is not valid JSON. Send {"email": "you@example.com"}.');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequest(400, 'The body must be a JSON object, such as {"email": "you@example.com"}.');
    }
    const fields: Fields = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') fields[k] = v;
    return fields;
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && text.trim() === '') || type === 'text/plain') {
    // text/plain: RFC 8058 asks for a form body, but a client that labels it otherwise still means it.
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new BadRequest(415, 'Send the form (application/x-www-form-urlencoded) or JSON (application/json).');
}

export function createSubscriptionHandler(deps: SubscriptionDeps, site: SubscriptionSite): SubscriptionHandler {
  const base = siteBase(deps.siteUrl);
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  let latest: { at: number; url?: string } | undefined;

  const pageSite = async (): Promise<PageSite> => {
    const now = Date.now();
    if (site.latestIssue && (!latest || now - latest.at > LATEST_ISSUE_TTL_MS)) {
      const issue = await site.latestIssue().catch(() => undefined);
      latest = { at: now, url: issue ? `${base}/issues/${issue}/` : undefined };
    }
    const archiveUrl = latest?.url ? `${base}/issues/` : undefined;
    return { title: site.title, intro: site.intro, lang: site.lang, latestIssueUrl: latest?.url, archiveUrl };
  };

  const respond = (
    request: HttpRequest,
    status: number,
    content: { page: string; json: Record<string, unknown> },
    extra: Record<string, string> = {},
  ): HttpResponse => {
    const json = wantsJson(request);
    const body = json ? JSON.stringify(content.json).replace(/</g, '\\u003c') : content.page;
    return {
      status,
      headers: {
        'Content-Type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
        ...SECURITY_HEADERS,
        ...extra,
      },
      body: request.method === 'HEAD' ? '' : body,
    };
  };

  /** A page (or JSON) that says one thing. */
  const say = async (
    request: HttpRequest,
    status: number,
    code: string,
    heading: string,
    paragraphs: string[],
    extra: Record<string, string> = {},
    withLatest = false,
  ) =>
    respond(
      request,
      status,
      {
        page: messagePage(await pageSite(), heading, paragraphs, withLatest),
        json: { ok: status < 400, status: code, message: paragraphs.join(' ') },
      },
      extra,
    );

  const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));
  const tooMany = (request: HttpRequest, retryAfter: number) =>
    say(
      request,
      429,
      'too-many-requests',
      'Too many requests',
      [`Too many sign-up requests came from here or for this address. Try again in ${minutes(retryAfter)} minutes.`],
      { 'Retry-After': String(retryAfter) },
    );

  const routes: Record<
    string,
    Partial<Record<'GET' | 'POST', (r: HttpRequest, q: URLSearchParams) => Promise<HttpResponse>>>
  > = {
    '/': {
      GET: async (r) => respond(r, 200, { page: signupPage(await pageSite()), json: { ok: true, status: 'signup' } }),
    },
    '/subscribe': {
      GET: async () => ({ status: 303, headers: { Location: './', ...SECURITY_HEADERS }, body: '' }),
      POST: async (r) => {
        const fields = parseBody(r);
        const email = fields.email ?? '';
        // What the page shows of the input: one line, bounded (it is escaped as well, like everything shown).
        const shown = email
          .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
          .trim()
          .slice(0, 254);
        const accepted = () =>
          say(r, wantsJson(r) ? 202 : 200, 'check-your-inbox', 'Check your inbox', [
            `If ${shown} can receive mail, a message with a link to confirm is on its way. The link works for 7 days.`,
            'Nothing after a few minutes? Look in the spam folder, or try again tomorrow.',
          ]);
        // A bot filled the hidden field: it gets the normal answer, and nothing is stored or sent.
        if ((fields[HONEYPOT_FIELD] ?? '') !== '') return accepted();
        const outcome = await subscribe({ email, ip: r.sourceIp }, deps);
        switch (outcome.kind) {
          case 'accepted':
            return accepted();
          case 'invalid-address': {
            const error = 'That does not look like an email address. Check it and try again.';
            return respond(r, 400, {
              page: signupPage(await pageSite(), { email: shown, error }),
              json: { ok: false, status: 'invalid-address', message: error },
            });
          }
          case 'limited':
            return tooMany(r, outcome.retryAfter);
          case 'unavailable':
            return say(
              r,
              503,
              'try-again',
              'Please try again',
              ['The confirmation email could not be sent just now. Nothing was changed: try again in a minute.'],
              { 'Retry-After': String(outcome.retryAfter) },
            );
        }
      },
    },
    '/confirm': {
      GET: async (r, q) => {
        const outcome = await confirm(q.get('token') ?? '', deps);
        switch (outcome.kind) {
          case 'confirmed':
            return say(
              r,
              200,
              'confirmed',
              'You are subscribed',
              [`Thank you. The next issue of ${site.title} goes to ${outcome.subscriber.email}.`],
              {},
              true,
            );
          case 'expired':
            return say(r, 410, 'expired', 'This link has expired', [
              'Confirmation links work for 7 days. Sign up again and you will get a fresh one.',
            ]);
          case 'superseded':
            return say(r, 409, 'superseded', 'This link is out of date', [
              'This address left the list, or could not be reached, after this link was sent. To get the issues again, sign up again.',
            ]);
          case 'invalid':
            return say(r, 400, 'invalid-link', 'This link does not work', [
              'The link may be cut short or mistyped: copy the whole link from the email, or sign up again.',
            ]);
        }
      },
    },
    '/unsubscribe': {
      GET: async (r, q) => {
        const token = q.get('token') ?? '';
        const found = await inspectUnsubscribe(token, deps);
        if (found.kind === 'invalid') return invalidUnsubscribe(r);
        const s = found.subscriber;
        if (!s || (s.status !== 'active' && s.status !== 'pending')) {
          return say(r, 200, 'not-subscribed', 'You are not subscribed', [
            `Nothing more of ${site.title} is sent${s ? ` to ${s.email}` : ' to this address'}.`,
          ]);
        }
        return respond(r, 200, {
          page: unsubscribeFormPage(await pageSite(), s.email, token),
          json: { ok: true, status: 'confirm-unsubscribe', message: 'POST to this URL to unsubscribe.' },
        });
      },
      POST: async (r, q) => {
        // RFC 8058: the token is in the URL; the body (`List-Unsubscribe=One-Click`, form-urlencoded or, as the
        // RFC prefers, multipart/form-data) only says it is a one-click POST, which any POST here is.
        const token = q.get('token') ?? (r.body.length > 0 ? parseBody(r).token : undefined) ?? '';
        const outcome = await unsubscribe(token, deps);
        if (outcome.kind === 'invalid') return invalidUnsubscribe(r);
        const who = outcome.subscriber ? ` to ${outcome.subscriber.email}` : '';
        return say(r, 200, 'unsubscribed', 'You are unsubscribed', [
          `No more issues of ${site.title} will be sent${who}. Changed your mind? You can sign up again at any time.`,
        ]);
      },
    },
  };

  const invalidUnsubscribe = (r: HttpRequest) =>
    say(r, 400, 'invalid-link', 'This link does not work', [
      'The link may be cut short or mistyped: copy the whole link from the email, or use the Unsubscribe link at the bottom of any issue.',
    ]);

  return async (request) => {
    try {
      let path = request.path;
      if (basePath && (path === basePath || path.startsWith(`${basePath}/`))) path = path.slice(basePath.length) || '/';
      const route = routes[path];
      if (!route) {
        return await say(request, 404, 'not-found', 'Nothing here', ['This page does not exist.']);
      }
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const action = route[method as 'GET' | 'POST'];
      if (!action) {
        const allow = Object.keys(route)
          .flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]))
          .join(', ');
        return await say(request, 405, 'method-not-allowed', 'Not like this', [`This address answers ${allow} only.`], {
          Allow: allow,
        });
      }
      if (request.bodyTooLarge || request.body.length > MAX_BODY_BYTES) {
        return await say(request, 413, 'too-large', 'Too much', [
          `A request here carries at most ${MAX_BODY_BYTES / 1024} KB: a sign-up needs only an email address.`,
        ]);
      }
      return await action(request, new URLSearchParams(request.query));
    } catch (error) {
      if (error instanceof BadRequest) {
        return say(
          request,
          error.status,
          error.status === 415 ? 'unsupported-type' : 'bad-request',
          'That did not work',
          [error.message],
        );
      }
      deps.log?.('subscription request failed', {
        method: request.method,
        path: request.path,
        error: (error as Error).message,
      });
      return say(request, 500, 'server-error', 'Something went wrong', [
        'Something went wrong on our side, and nothing was changed. Please try again in a minute.',
      ]).catch(() => ({
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
        body: 'Something went wrong on our side. Please try again in a minute.',
      }));
    }
  };
}
