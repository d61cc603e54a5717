/**
 * Checking an issue's candidate links before it is composed: what a probe's answer means (alive,
 * redirected, dead, unknown) and what the config makes of a dead link (drop, hold, mark). Pure: the probes
 * come from the LinkChecker port, `now` is passed in.
 *
 * Only four answers make a link dead: HTTP 404, HTTP 410, a host name that does not exist (ENOTFOUND) and
 * a TLS certificate the client refuses. Everything else that is not a working page (timeouts, 5xx, 429,
 * 401/403, resets, refused connections, redirect loops, links not checked in time) is `unknown`, and an
 * unknown link is always sent: a doubt never costs the reader a link.
 */
import type { Bookmark, DeadLink } from './model';
import { isWebUrl, normalizeUrl } from './url';

/** What a dead link does to the issue: left out for good, held back to be checked again next issue, or sent marked. */
export type DeadLinkAction = 'drop' | 'hold' | 'mark';

export interface LinkCheckPolicy {
  action: DeadLinkAction;
  /** A redirected link is shown at the target of the permanent (301/308) redirects it starts with. */
  keepFinalUrl: boolean;
  /**
   * `hold` only: a dead link saved more than this many days ago is dropped instead of held again. This
   * bounds how far a held link can keep the next window's start back (see `watermarkFor`).
   */
  holdDays: number;
}

/**
 * What the checker saw for one link (the LinkChecker port's answer):
 * - `answer`: the last HTTP status received, after any redirects followed; `permanentUrl` is where the
 *   leading run of 301/308 redirects ended (absent when the first hop was not a permanent redirect);
 * - `failure`: no usable answer; `code` is Node's error code (ENOTFOUND, ECONNRESET, CERT_HAS_EXPIRED…)
 *   or one of the checker's own: TIMEOUT, TOO_MANY_REDIRECTS, BAD_REDIRECT;
 * - `skipped`: not requested (DEADLINE, HOST_TIMED_OUT, PRIVATE_ADDRESS).
 */
export type LinkProbe =
  | { url: string; kind: 'answer'; status: number; finalUrl: string; redirects: number; permanentUrl?: string }
  | { url: string; kind: 'failure'; code: string; detail?: string }
  | { url: string; kind: 'skipped'; code: string };

export type { DeadLink };

export type LinkOutcome =
  | { kind: 'alive'; status: number }
  | { kind: 'redirected'; status: number; finalUrl: string; permanentUrl?: string }
  | { kind: 'dead'; status: number | null; reason: string }
  | { kind: 'unknown'; reason: string };

/** Error codes of a certificate the TLS client refuses (Node/OpenSSL names). */
const CERT_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  429: 'Too Many Requests',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `404 Not Found`, `418`: a status as a person reads it (our own words only, never the server's). */
export const statusLine = (status: number) => `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;

const FAILURE_REASONS: Record<string, string> = {
  TIMEOUT: 'no answer within the time limit',
  TOO_MANY_REDIRECTS: 'too many redirects',
  BAD_REDIRECT: 'a redirect to an unreadable or non-http(s) address',
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  EAI_AGAIN: 'DNS did not answer (temporary failure)',
  DEADLINE: 'not checked: the link check ran out of time',
  HOST_TIMED_OUT: 'not checked: an earlier link on the same host timed out',
  PRIVATE_ADDRESS: 'not checked: a private or loopback address (linkCheck.allowPrivateHosts is false)',
};

/** What one probe means. Only 404, 410, an unknown host and a refused certificate are dead. */
export function classifyProbe(probe: LinkProbe): LinkOutcome {
  if (probe.kind === 'answer') {
    const { status } = probe;
    if (status === 404 || status === 410) return { kind: 'dead', status, reason: statusLine(status) };
    if (status >= 200 && status < 400) {
      if (probe.redirects > 0 && probe.finalUrl !== probe.url) {
        return {
          kind: 'redirected',
          status,
          finalUrl: probe.finalUrl,
          ...(probe.permanentUrl ? { permanentUrl: probe.permanentUrl } : {}),
        };
      }
      return { kind: 'alive', status };
    }
    return { kind: 'unknown', reason: `HTTP ${statusLine(status)}` };
  }
  if (probe.kind === 'failure') {
    if (probe.code === 'ENOTFOUND') return { kind: 'dead', status: null, reason: 'DNS: no such host (ENOTFOUND)' };
    if (CERT_ERRORS.has(probe.code)) {
      return { kind: 'dead', status: null, reason: `TLS: the certificate is refused (${probe.code})` };
    }
    return { kind: 'unknown', reason: FAILURE_REASONS[probe.code] ?? `network error (${probe.code})` };
  }
  return { kind: 'unknown', reason: FAILURE_REASONS[probe.code] ?? `not checked (${probe.code})` };
}

export interface ClassifiedProbes {
  /** By normalized URL. */
  outcomes: Map<string, LinkOutcome>;
  /** Set when the checker itself looks cut off: every link failed before any HTTP answer. */
  warning?: string;
}

/**
 * Classifies a batch of probes. When not one link got an HTTP answer (every one failed at DNS, TCP or TLS,
 * or timed out), the checker cannot tell its own network from the links' hosts: no network at all makes
 * every host "not found". Then nothing is dead, every link is unknown, and the warning says so. The price:
 * an issue whose every link really is on a vanished host is sent as it is.
 */
export function classifyProbes(probes: readonly LinkProbe[]): ClassifiedProbes {
  const outcomes = new Map<string, LinkOutcome>();
  for (const p of probes) outcomes.set(normalizeUrl(p.url), classifyProbe(p));
  const tried = probes.filter((p) => p.kind !== 'skipped');
  const dead = [...outcomes.values()].filter((o) => o.kind === 'dead').length;
  if (tried.length === 0 || tried.some((p) => p.kind === 'answer') || dead === 0) return { outcomes };

  const codes = new Map<string, number>();
  for (const p of tried) if (p.kind === 'failure') codes.set(p.code, (codes.get(p.code) ?? 0) + 1);
  const how = [...codes].map(([code, n]) => `${code} ×${n}`).join(', ');
  for (const [key, o] of outcomes) {
    if (o.kind === 'dead') outcomes.set(key, { kind: 'unknown', reason: `${o.reason}, but no link answered at all` });
  }
  return {
    outcomes,
    warning: `link check: none of ${tried.length} links got an HTTP answer (${how}); that looks like the checker's own network, so no link is treated as dead`,
  };
}

/** Counts and lists for the run summary; links only (every one of them public, already past selection). */
export interface LinkCheckReport {
  checked: number;
  alive: number;
  redirected: { url: string; finalUrl: string; kept: boolean }[];
  dead: DeadLink[];
  unknown: { url: string; reason: string }[];
  /** How long the check took, all rounds (set by the job that ran it). */
  durationMs?: number;
}

/** The words put before the note of a link sent with `mark` (escaped like every bookmark text). */
export const markText = (reason: string) => `⚠ This link did not work when the issue was made (${reason}).`;

export type LinkDecision =
  | { kind: 'keep'; bookmark: Bookmark; originalUrl?: string }
  | { kind: 'hold'; dead: DeadLink }
  | { kind: 'drop'; dead: DeadLink };

const DAY_MS = 86_400_000;

/**
 * What one candidate becomes: kept (maybe at its final URL, maybe marked), held, or dropped. No outcome
 * (not checked) or an unknown one keeps the link as it is.
 */
export function decideLink(
  bookmark: Bookmark,
  outcome: LinkOutcome | undefined,
  policy: LinkCheckPolicy,
  now: string,
): LinkDecision {
  if (!outcome || outcome.kind === 'alive' || outcome.kind === 'unknown') return { kind: 'keep', bookmark };
  if (outcome.kind === 'redirected') {
    const target = outcome.permanentUrl;
    if (!policy.keepFinalUrl || !target || !isWebUrl(target) || target === bookmark.url) {
      return { kind: 'keep', bookmark };
    }
    return { kind: 'keep', bookmark: { ...bookmark, url: target }, originalUrl: bookmark.url };
  }
  const base = { url: bookmark.url, title: bookmark.title, status: outcome.status, reason: outcome.reason };
  if (policy.action === 'mark') {
    const note = bookmark.note.trim() ? `${markText(outcome.reason)}\n${bookmark.note}` : markText(outcome.reason);
    return { kind: 'keep', bookmark: { ...bookmark, note } };
  }
  if (policy.action === 'hold' && Date.parse(bookmark.savedAt) >= Date.parse(now) - policy.holdDays * DAY_MS) {
    return { kind: 'hold', dead: { ...base, action: 'held' } };
  }
  return { kind: 'drop', dead: { ...base, action: 'dropped' } };
}

/** Candidates after the check: those to compose from (in order), and those left out. */
export interface AppliedChecks {
  kept: Bookmark[];
  /** A kept link shown at another URL: its original address, by the URL it is shown at. */
  originalUrls: Map<string, string>;
  held: Bookmark[];
  dropped: Bookmark[];
  /** Moved to a final URL already in the issue or already sent: left out. */
  duplicate: number;
  report: LinkCheckReport;
}

/**
 * Applies the outcomes to every candidate (oldest first), keeping their order. A link moved to its final
 * URL (keepFinalUrl) that lands on a link already in the issue or already sent is left out as a duplicate.
 */
export function applyLinkChecks(
  candidates: readonly Bookmark[],
  outcomes: ReadonlyMap<string, LinkOutcome>,
  policy: LinkCheckPolicy,
  now: string,
  sentLinks: ReadonlySet<string> = new Set(),
): AppliedChecks {
  const applied: AppliedChecks = {
    kept: [],
    originalUrls: new Map(),
    held: [],
    dropped: [],
    duplicate: 0,
    report: { checked: 0, alive: 0, redirected: [], dead: [], unknown: [] },
  };
  const { report } = applied;
  const shown = new Set(candidates.map((b) => normalizeUrl(b.url)));
  for (const b of candidates) {
    const outcome = outcomes.get(normalizeUrl(b.url));
    if (outcome) report.checked++;
    if (outcome?.kind === 'alive') report.alive++;
    if (outcome?.kind === 'unknown') report.unknown.push({ url: b.url, reason: outcome.reason });
    const decision = decideLink(b, outcome, policy, now);
    if (outcome?.kind === 'redirected') {
      report.redirected.push({
        url: b.url,
        finalUrl: outcome.finalUrl,
        kept: decision.kind === 'keep' && !!decision.originalUrl,
      });
    }
    if (decision.kind === 'keep' && decision.originalUrl) {
      const target = normalizeUrl(decision.bookmark.url);
      // http → https of the same page is the same link (normalizeUrl), just shown at its secure address.
      if (target !== normalizeUrl(b.url) && (shown.has(target) || sentLinks.has(target))) {
        applied.duplicate++;
        continue;
      }
      shown.add(target);
    }
    if (decision.kind === 'keep') {
      applied.kept.push(decision.bookmark);
      if (decision.originalUrl) applied.originalUrls.set(decision.bookmark.url, decision.originalUrl);
      if (outcome?.kind === 'dead')
        report.dead.push({
          url: b.url,
          title: b.title,
          status: outcome.status,
          reason: outcome.reason,
          action: 'marked',
        });
    } else {
      report.dead.push(decision.dead);
      (decision.kind === 'hold' ? applied.held : applied.dropped).push(b);
    }
  }
  return applied;
}

/**
 * The candidates still to check so that the first `max` links the issue keeps all have an outcome: walks
 * them oldest first, counting those that will be kept, and returns the unchecked ones up to `max`. Called
 * again after each check until it returns nothing (a dead link left out makes room for the next one).
 */
export function linksToCheck(
  candidates: readonly Bookmark[],
  outcomes: ReadonlyMap<string, LinkOutcome>,
  policy: LinkCheckPolicy,
  max: number,
  now: string,
): Bookmark[] {
  const todo: Bookmark[] = [];
  let places = 0;
  for (const b of candidates) {
    if (places >= max) break;
    const outcome = outcomes.get(normalizeUrl(b.url));
    if (!outcome) {
      todo.push(b);
      places++;
    } else if (decideLink(b, outcome, policy, now).kind === 'keep') {
      places++;
    }
  }
  return todo;
}

/**
 * The watermark (the next window's start) of an issue: its newest link's time, kept back to the oldest
 * held link's time. Windows include their start, so a held link is read again, checked again, and sent if
 * it works by then; the issue's own links are read again too and left out as already sent. A held link
 * older than `holdDays` is dropped instead, so the window is never kept back more than `holdDays`.
 */
export function watermarkFor(newestIncluded: string, held: readonly Bookmark[]): string {
  let mark = newestIncluded;
  for (const b of held) if (Date.parse(b.savedAt) < Date.parse(mark)) mark = b.savedAt;
  return mark;
}
