/**
 * The subscription API as one function from a plain request to a plain response, hosted by `serve` (node's
 * http) and by the subscription-api function (API Gateway). Routes:
 *   GET  /                   the signup page (a form that works without JavaScript)
 *   POST /subscribe          form (urlencoded or multipart) or JSON `{ "email" }`: the same answer for every
 *                            address (no enumeration), echoing nothing; refused (403) when the browser says the
 *                            request comes from a page of another site (`Origin`, `Sec-Fetch-Site`)
 *   GET  /confirm?token=…    a page with one button: a GET (or HEAD) never confirms (mail scanners follow links)
 *   POST /confirm?token=…    the button (the token in the URL, or a `token` field): activates; expired, forged
 *                            or wrong-purpose tokens get a page and change nothing
 *   GET  /unsubscribe?token= a page with one button: a GET never unsubscribes
 *   POST /unsubscribe?token= the button, or RFC 8058 one-click (`List-Unsubscribe=One-Click`): unsubscribes, 200
 *   GET  /preferences?token= a reader's choices (sections, pace, a pause) as a form; POST saves them (jobs/preferences.ts,
 *                            render/preferences-page.ts); the token opens only this page, and cannot unsubscribe
 *   GET/POST /review/approve, /review/hold, /review/note   the author's review links (http/review-routes.ts),
 *                            when the config has `review`; a GET never acts, a cross-site POST is refused
 * Every answer is a page or JSON that says what to do; an unexpected error is logged (addresses masked) and
 * answered with a generic page, never a stack trace. Pages carry a strict Content-Security-Policy and no input
 * unescaped.
 */
import { displayAddress, maskAddressesIn } from '../core/email';
import type { ReaderPrefs, Subscriber } from '../core/model';
import { choosePrefs, isDefaultPrefs, PrefsError } from '../core/prefs';
import { siteBase } from '../core/site-url';
import { createToken } from '../core/tokens';
import { inspectPreferences, savePreferences } from '../jobs/preferences';
import {
  type ConfirmOutcome,
  confirm,
  inspectConfirm,
  inspectUnsubscribe,
  type SubscriptionDeps,
  subscribe,
  unsubscribe,
} from '../jobs/subscription';
import { preferencesPage } from '../render/preferences-page';
import {
  CONTENT_SECURITY_POLICY,
  confirmFormPage,
  messagePage,
  type PageSite,
  signupPage,
  unsubscribeFormPage,
} from '../render/subscription-pages';
import { REVIEW_HEADERS, REVIEW_PURPOSES, type ReviewRoutes } from './review-routes';
import { SECURITY_HEADERS } from './security-headers';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './types';

export interface SubscriptionSite {
  title: string;
  intro?: string;
  lang: string;
  /** The sections a reader may choose on their preferences page (the config's titles, then the other section). */
  sections?: readonly string[];
  /** The time zone the preferences page dates a pause's end in. */
  timeZone?: string;
  /** The newest sent issue's number, if any (the signup page links to its archive page). */
  latestIssue?: () => Promise<number | undefined>;
}

export type SubscriptionHandler = (request: HttpRequest) => Promise<HttpResponse>;

/** The honeypot field: hidden from people, filled in by form-filling bots. */
export const HONEYPOT_FIELD = 'website';

/** How long the signup page trusts the latest issue number it read. */
const LATEST_ISSUE_TTL_MS = 5 * 60_000;

/** The archive's security headers, with the API pages' own stricter policy; never cached (tokens, state). */
const API_HEADERS = {
  ...SECURITY_HEADERS,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
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

/** An address given to the form, shown again to be corrected: one line, bounded (escaped, like everything shown). */
const shownEmail = (email: string) =>
  email
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .trim()
    .slice(0, 254);

function wantsJson(request: HttpRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return /^application\/json\b/i.test(type) || (/application\/json/i.test(accept) && !/text\/html/i.test(accept));
}

/**
 * The text fields of a multipart/form-data body (RFC 7578): what a form with `enctype="multipart/form-data"`
 * sends, and what RFC 8058 prefers for one-click. File parts are ignored; a field given twice counts once.
 */
export const multipartFields = (body: Buffer, contentType: string): Fields =>
  firstOfEach(multipartValues(body, contentType));

/** Every text field of a multipart/form-data body, in order, repeats kept. */
function multipartValues(body: Buffer, contentType: string): URLSearchParams {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new BadRequest(400, 'A multipart/form-data body needs the boundary in its Content-Type.');
  const parts = body.toString('utf8').split(`--${boundary}`);
  const closed = parts.length >= 2 && (parts.at(-1) ?? '').startsWith('--');
  if (!closed) throw new BadRequest(400, 'The multipart/form-data body is cut short: its closing boundary is missing.');
  const values = new URLSearchParams();
  for (const part of parts.slice(1, -1)) {
    const end = /\r?\n\r?\n/.exec(part);
    if (!end) continue;
    const head = part.slice(0, end.index);
    const disposition = /^content-disposition:([^\r\n]*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || /;\s*filename\*?=/i.test(disposition)) continue;
    values.append(name, part.slice(end.index + end[0].length).replace(/\r?\n$/, ''));
  }
  return values;
}

/** The first value of each field: what a one-value form (sign-up, unsubscribe, review) reads. */
function firstOfEach(values: URLSearchParams): Fields {
  const fields: Fields = {};
  for (const [k, v] of values) if (!(k in fields)) fields[k] = v;
  return fields;
}

/**
 * Every field of a form (urlencoded or multipart) or JSON body, in order, repeats kept (the preferences form
 * sends `section` once per box ticked; a JSON array is repeats too). A body of another type is refused (415).
 */
function bodyValues(request: HttpRequest): URLSearchParams {
  const contentType = request.headers['content-type'] ?? '';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
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
    const values = new URLSearchParams();
    for (const [k, v] of Object.entries(value)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (typeof item === 'string' || typeof item === 'number') values.append(k, String(item));
      }
    }
    return values;
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && text.trim() === '') || type === 'text/plain') {
    // text/plain: RFC 8058 asks for a form body, but a client that labels it otherwise still means it.
    return new URLSearchParams(text);
  }
  if (type === 'multipart/form-data') return multipartValues(request.body, contentType);
  throw new BadRequest(
    415,
    'Send the form (application/x-www-form-urlencoded or multipart/form-data) or JSON (application/json).',
  );
}

/** The fields of a form or JSON body, one value each (the first); a body of another type is refused (415). */
const parseBody = (request: HttpRequest): Fields => firstOfEach(bodyValues(request));

/**
 * True when the browser says this request comes from a page of another site. `Sec-Fetch-Site` first: every
 * current browser sends it, no page can change it, and it is the one word that survives the pages' own
 * `no-referrer` policy (under which Chromium sends the site's own form with `Origin: null`): `same-origin`
 * or `none` (typed, bookmarked) pass, `cross-site` is refused. Otherwise (`same-site`: a sibling subdomain,
 * another site here; or no such header: an older browser, an API client) the `Origin`, when there is one,
 * must be the site's (`siteOrigin`) or the host the request was sent to; a `null` one only passes without
 * `Sec-Fetch-Site`, where it cannot be told from the site's own page. API clients and servers send neither
 * header, and are not affected.
 */
export function fromAnotherSite(request: HttpRequest, siteOrigin: string): boolean {
  const fetchSite = request.headers['sec-fetch-site']?.trim().toLowerCase();
  if (fetchSite === 'cross-site') return true;
  if (fetchSite === 'same-origin' || fetchSite === 'none') return false;
  const origin = request.headers.origin?.trim().toLowerCase();
  if (origin === undefined || origin === siteOrigin) return false;
  if (origin === 'null') return fetchSite !== undefined;
  try {
    const host = request.headers.host?.trim().toLowerCase();
    return !host || new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export function createSubscriptionHandler(
  deps: SubscriptionDeps,
  site: SubscriptionSite,
  review?: ReviewRoutes,
): SubscriptionHandler {
  const base = siteBase(deps.siteUrl);
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  const siteOrigin = new URL(base).origin.toLowerCase();
  let latest: { at: number; url?: string } | undefined;

  const pageSite = async (): Promise<PageSite> => {
    const now = Date.now();
    if (site.latestIssue && (!latest || now - latest.at > LATEST_ISSUE_TTL_MS)) {
      const issue = await site.latestIssue().catch(() => undefined);
      latest = { at: now, url: issue ? `${base}/issues/${issue}/` : undefined };
    }
    const archiveUrl = latest?.url ? `${base}/issues/` : undefined;
    return {
      title: site.title,
      intro: site.intro,
      lang: site.lang,
      latestIssueUrl: latest?.url,
      archiveUrl,
      ...(site.sections ? { sections: site.sections } : {}),
    };
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
        ...API_HEADERS,
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
      GET: async () => ({ status: 303, headers: { Location: './', ...API_HEADERS }, body: '' }),
      POST: async (r) => {
        // A page elsewhere cannot make its visitors' browsers sign addresses up (each visitor's IP counting
        // apart): nothing is read, stored or mailed.
        if (fromAnotherSite(r, siteOrigin)) {
          return say(r, 403, 'cross-site', 'Sign up on this site', [
            `This sign-up came from a page of another site, so nothing was done. To subscribe to ${site.title}, use the form on its own page.`,
          ]);
        }
        const values = bodyValues(r);
        const fields = firstOfEach(values);
        const email = fields.email ?? '';
        // The answer echoes nothing of the input (whatever a bot or a hostile page put there), and is the same
        // for every address.
        const accepted = () =>
          say(r, wantsJson(r) ? 202 : 200, 'check-your-inbox', 'Check your inbox', [
            'If the address can receive mail, a message with a link to confirm is on its way. The link works for 7 days.',
            'Nothing after a few minutes? Look in the spam folder, or try again tomorrow.',
          ]);
        // A bot filled the hidden field: it gets the normal answer, and nothing is stored or sent.
        if ((fields[HONEYPOT_FIELD] ?? '') !== '') return accepted();
        // The form's choices, if it offered them (all sections and every issue unless changed).
        let prefs: ReaderPrefs | undefined;
        try {
          const sections = values.getAll('section');
          const frequency = values.get('frequency') ?? undefined;
          prefs = choosePrefs(
            { ...(sections.length ? { sections } : {}), frequency },
            site.sections ?? [],
            undefined,
            new Date(),
          );
        } catch (error) {
          if (!(error instanceof PrefsError)) throw error;
          return respond(r, 400, {
            page: signupPage(await pageSite(), { email: shownEmail(email), error: error.message }),
            json: { ok: false, status: 'invalid-choice', message: error.message },
          });
        }
        const outcome = await subscribe({ email, ip: r.sourceIp, ...(isDefaultPrefs(prefs) ? {} : { prefs }) }, deps);
        switch (outcome.kind) {
          case 'accepted':
            return accepted();
          case 'invalid-address': {
            const shown = shownEmail(email);
            const error = outcome.character
              ? `That does not look like an email address: it has a character in it that cannot be seen (${outcome.character}), often left by copying. Type the address instead of pasting it, and try again.`
              : 'That does not look like an email address. Check it and try again.';
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
        const token = q.get('token') ?? '';
        const outcome = await inspectConfirm(token, deps);
        if (outcome.kind !== 'confirmed') return confirmAnswer(r, outcome);
        return respond(r, 200, {
          page: confirmFormPage(await pageSite(), displayAddress(outcome.subscriber.email), token),
          json: { ok: true, status: 'confirm-subscription', message: 'POST to this URL to confirm.' },
        });
      },
      POST: async (r, q) => confirmAnswer(r, await confirm(q.get('token') ?? bodyToken(r), deps)),
    },
    '/unsubscribe': {
      GET: async (r, q) => {
        const token = q.get('token') ?? '';
        const found = await inspectUnsubscribe(token, deps);
        if (found.kind === 'invalid') return invalidUnsubscribe(r);
        const s = found.subscriber;
        if (!s || (s.status !== 'active' && s.status !== 'pending')) {
          return say(r, 200, 'not-subscribed', 'You are not subscribed', [
            `Nothing more of ${site.title} is sent${s ? ` to ${displayAddress(s.email)}` : ' to this address'}.`,
          ]);
        }
        return respond(r, 200, {
          page: unsubscribeFormPage(await pageSite(), displayAddress(s.email), token),
          json: { ok: true, status: 'confirm-unsubscribe', message: 'POST to this URL to unsubscribe.' },
        });
      },
      POST: async (r, q) => {
        // RFC 8058: the token is in the URL; the body (`List-Unsubscribe=One-Click`, form-urlencoded or, as the
        // RFC prefers, multipart/form-data) only says it is a one-click POST, which any POST here is.
        const token = q.get('token') ?? bodyToken(r);
        const outcome = await unsubscribe(token, deps);
        if (outcome.kind === 'invalid') return invalidUnsubscribe(r);
        const who = outcome.subscriber ? ` to ${displayAddress(outcome.subscriber.email)}` : '';
        return say(r, 200, 'unsubscribed', 'You are unsubscribed', [
          `No more issues of ${site.title} will be sent${who}. Changed your mind? You can sign up again at any time.`,
        ]);
      },
    },
  };

  const prefsDeps = {
    store: deps.store,
    secret: deps.secret,
    sections: site.sections ?? [],
    now: () => new Date(deps.now?.() ?? Date.now()),
  };
  const dateLabel = (iso: string) =>
    new Intl.DateTimeFormat(site.lang, { dateStyle: 'long', timeZone: site.timeZone ?? 'UTC' }).format(new Date(iso));
  const prefsPage = async (
    r: HttpRequest,
    status: number,
    subscriber: Subscriber,
    token: string,
    notice?: { text: string; error?: boolean },
  ) =>
    respond(r, status, {
      page: preferencesPage(await pageSite(), {
        email: displayAddress(subscriber.email),
        sections: prefsDeps.sections,
        ...(subscriber.prefs ? { prefs: subscriber.prefs } : {}),
        token,
        unsubscribeUrl: `${base}/unsubscribe?token=${encodeURIComponent(createToken(deps.secret, 'unsubscribe', subscriber.id))}`,
        ...(notice ? { notice } : {}),
        dateLabel,
        now: prefsDeps.now(),
      }),
      json: { ok: status < 400, status: notice?.error ? 'refused' : 'preferences', prefs: subscriber.prefs ?? {} },
    });
  const notOnList = (r: HttpRequest) =>
    say(r, 200, 'not-subscribed', 'You are not subscribed', [
      `Nothing of ${site.title} is sent to this address, so there is nothing to choose. You can sign up again at any time.`,
    ]);
  const invalidPreferences = (r: HttpRequest) =>
    say(r, 400, 'invalid-link', 'This link does not work', [
      'The link may be cut short or mistyped: copy the whole "Choose what you get" link from the email.',
    ]);
  routes['/preferences'] = {
    GET: async (r, q) => {
      const token = q.get('token') ?? '';
      const found = await inspectPreferences(token, prefsDeps);
      if (found.kind === 'invalid') return invalidPreferences(r);
      if (found.kind === 'not-subscribed') return notOnList(r);
      return prefsPage(r, 200, found.subscriber, token);
    },
    POST: async (r, q) => {
      if (fromAnotherSite(r, siteOrigin)) {
        return say(r, 403, 'cross-site', 'Not from another site', [
          'This came from a page of another site, so nothing was changed. Use the link in any issue.',
        ]);
      }
      const form = r.body.length > 0 ? bodyValues(r) : new URLSearchParams();
      const token = q.get('token') ?? form.get('token') ?? '';
      const pause = form.get('pause');
      const frequency = form.get('frequency');
      const choice = {
        ...(frequency !== null ? { frequency } : {}),
        ...(form.has('section') || form.has('sections')
          ? { sections: form.getAll('section').concat(form.getAll('sections')) }
          : {}),
        ...(pause !== null && pause !== 'keep' ? { pauseWeeks: Number(pause) } : {}),
      };
      const saved = await savePreferences(token, choice, prefsDeps);
      if (saved.kind === 'invalid') return invalidPreferences(r);
      if (saved.kind === 'not-subscribed') return notOnList(r);
      if (saved.kind === 'refused')
        return prefsPage(r, 422, saved.subscriber, token, { text: saved.message, error: true });
      return prefsPage(r, 200, saved.subscriber, token, { text: 'Saved: the next issue follows your choices.' });
    },
  };

  if (review) {
    for (const purpose of REVIEW_PURPOSES) {
      const answer = (r: HttpRequest, a: { status: number; code: string; page: string }) =>
        respond(r, a.status, { page: a.page, json: { ok: a.status < 400, status: a.code } }, REVIEW_HEADERS);
      routes[`/review/${purpose}`] = {
        GET: async (r, q) => answer(r, await review.show(purpose, q.get('t') ?? '')),
        POST: async (r, q) => {
          if (fromAnotherSite(r, siteOrigin)) {
            return say(r, 403, 'cross-site', 'Not from another site', [
              'This came from a page of another site, so nothing was done. Use the link in your preflight message.',
            ]);
          }
          const fields = r.body.length > 0 ? parseBody(r) : {};
          return answer(r, await review.act(purpose, q.get('t') ?? fields.t ?? '', fields));
        },
      };
    }
  }

  /** The token of a POST whose URL has none: a `token` field of the form or JSON body. */
  const bodyToken = (r: HttpRequest) => (r.body.length > 0 ? parseBody(r).token : undefined) ?? '';

  /** What a confirm link did (POST), or would not do (GET of a link that does not work, or already did). */
  const confirmAnswer = (r: HttpRequest, outcome: ConfirmOutcome) => {
    switch (outcome.kind) {
      case 'confirmed':
        return say(
          r,
          200,
          'confirmed',
          'You are subscribed',
          [`Thank you. The next issue of ${site.title} goes to ${displayAddress(outcome.subscriber.email)}.`],
          {},
          true,
        );
      case 'already-confirmed':
        return say(
          r,
          200,
          'already-confirmed',
          'You are already subscribed',
          [
            `This link was used already: ${displayAddress(outcome.subscriber.email)} is on the list, and the next issue of ${site.title} goes to it.`,
          ],
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
          `A request here carries at most ${MAX_BODY_BYTES / 1024} KB: a sign-up needs only an email address, a note of the day at most 2,000 characters.`,
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
        error: maskAddressesIn((error as Error).message),
      });
      return say(request, 500, 'server-error', 'Something went wrong', [
        'Something went wrong on our side, and nothing was changed. Please try again in a minute.',
      ]).catch(() => ({
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', ...API_HEADERS },
        body: 'Something went wrong on our side. Please try again in a minute.',
      }));
    }
  };
}
