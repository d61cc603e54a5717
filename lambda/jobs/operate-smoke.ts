/**
 * `smoke`: each deployed function invoked, under its own role, in a mode that changes nothing, and judged by
 * its answer. What each is sent and what counts as working:
 *
 *   compose-issue     `{"source":"pinboard-digest.smoke"}`: composes the next issue read-only and says what it
 *                     would send; nothing stored, enqueued or published (handlers/compose-issue.ts)
 *   send-batch        an SQS event with no records: nothing to send, no failures reported
 *   ses-events        an SNS notice of a type it ignores: ignored, nothing recorded
 *   subscription-api  an HTTP API GET /: the sign-up page, 200
 *
 * A `FunctionError` (the function threw, or its cold start did) is a failure whatever the payload says; so is
 * an answer that is not the one its mode gives (a compose-issue deployed before it knew this event would have
 * composed for real: that is said plainly). The log line that explains the outcome comes from the invocation's
 * own log (Lambda's LogType=Tail).
 */

import type { FunctionInvoker, InvokeAnswer } from '../ports/operations';
import type { ComposeNextDeps } from './compose-next';
import { composeNextIssue } from './compose-next';

/** The event source that marks a smoke invocation. */
export const SMOKE_SOURCE = 'pinboard-digest.smoke';

export const isSmokeEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { source?: unknown }).source === SMOKE_SOURCE;

/** What compose-issue answers a smoke event. */
export type SmokeCompose =
  | { outcome: 'smoke'; next: 'issue'; issue: number; subject: string; links: number }
  | { outcome: 'smoke'; next: 'resume'; issue: number; subject: string; links: number }
  | { outcome: 'smoke'; next: 'nothing'; reason: string };

/**
 * The next issue composed as a run would compose it, with nothing written: no cursor (readOnly), and a store
 * view that refuses a write, so that a path which would write fails the smoke instead of changing state.
 * (A source's own memory of when it last called its API, which its rate limit needs, is the source's.)
 */
export async function composeWithoutStoring(deps: ComposeNextDeps, now: Date): Promise<SmokeCompose> {
  const store = deps.store;
  const readOnlyStore: ComposeNextDeps['store'] = {
    history: () => store.history(),
    getMemo: (key) => store.getMemo(key),
    putMemo: async (key) => {
      throw new Error(`a smoke writes nothing, but composing tried to write ${key}`);
    },
  };
  const next = await composeNextIssue({ ...deps, store: readOnlyStore, readOnly: true }, now);
  if (next.kind === 'nothing') return { outcome: 'smoke', next: 'nothing', reason: next.reason };
  const m = next.record.model;
  return { outcome: 'smoke', next: next.kind, issue: next.record.issue, subject: m.subject, links: m.bookmarkCount };
}

/** The one line a smoke compose logs and `smoke` prints. */
export function describeSmokeCompose(answer: SmokeCompose): string {
  switch (answer.next) {
    case 'issue':
      return `issue #${answer.issue} would go out now: "${answer.subject}", ${answer.links} links (nothing stored, enqueued or published)`;
    case 'resume':
      return `issue #${answer.issue} "${answer.subject}" is still going out; the next run resumes it (nothing changed)`;
    case 'nothing':
      return `nothing would go out now: ${answer.reason} (nothing changed)`;
  }
}

export type FunctionKey = 'composeIssue' | 'sendBatch' | 'sesEvents' | 'subscriptionApi';

export interface SmokeResult {
  key: FunctionKey;
  /** compose-issue, send-batch, ses-events, subscription-api. */
  label: string;
  functionName: string;
  ok: boolean;
  /** What the answer says, in a line. */
  summary: string;
  /** The log line that explains it, if the log had one. */
  logLine?: string;
}

interface Check {
  key: FunctionKey;
  label: string;
  payload: (where: { subscriptionApiUrl: string; now: Date }) => unknown;
  /** A verdict on an answer without a FunctionError. */
  judge: (payload: unknown) => { ok: boolean; summary: string };
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as never) : {});

/** The sign-up page as API Gateway's HTTP API (payload 2.0) hands it over. */
function signupPageEvent(subscriptionApiUrl: string, now: Date) {
  const host = new URL(subscriptionApiUrl).host;
  const agent = 'pinboard-digest smoke';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { host, 'user-agent': agent, accept: 'text/html' },
    requestContext: {
      apiId: host.split('.')[0],
      domainName: host,
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: agent },
      requestId: `smoke-${now.getTime()}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

/** An SNS delivery of one SES-looking notice whose type no rule acts on. */
function ignoredNoticeEvent(now: Date) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'pinboard-digest-smoke',
        Sns: {
          Type: 'Notification',
          MessageId: `smoke-${now.getTime()}`,
          TopicArn: 'pinboard-digest-smoke',
          Subject: null,
          Message: JSON.stringify({ notificationType: SMOKE_SOURCE }),
          Timestamp: now.toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const CHECKS: readonly Check[] = [
  {
    key: 'composeIssue',
    label: 'compose-issue',
    payload: () => ({ source: SMOKE_SOURCE }),
    judge: (payload) => {
      const p = obj(payload);
      if (p.outcome === 'smoke') return { ok: true, summary: describeSmokeCompose(p as SmokeCompose) };
      return {
        ok: false,
        summary: `it did not answer as a smoke (outcome ${JSON.stringify(p.outcome)}): a deployment older than \`smoke\` runs an issue on any event, so check \`pinboard-digest status\`; deploy again`,
      };
    },
  },
  {
    key: 'sendBatch',
    label: 'send-batch',
    payload: () => ({ Records: [] }),
    judge: (payload) => {
      const failures = obj(payload).batchItemFailures;
      return Array.isArray(failures) && failures.length === 0
        ? { ok: true, summary: 'an empty batch: nothing sent, no failures' }
        : { ok: false, summary: `an empty batch answered ${JSON.stringify(payload)}` };
    },
  },
  {
    key: 'sesEvents',
    label: 'ses-events',
    payload: ({ now }) => ignoredNoticeEvent(now),
    judge: (payload) => {
      const p = obj(payload);
      const recorded = ['suppressed', 'counted', 'unsubscribed'].filter((k) => Number(p[k] ?? 0) !== 0);
      return p.ignored === 1 && recorded.length === 0 && p.malformed === 0
        ? { ok: true, summary: 'a notice it ignores: ignored, nothing recorded' }
        : { ok: false, summary: `a notice it should ignore answered ${JSON.stringify(payload)}` };
    },
  },
  {
    key: 'subscriptionApi',
    label: 'subscription-api',
    payload: ({ subscriptionApiUrl, now }) => signupPageEvent(subscriptionApiUrl, now),
    judge: (payload) => {
      const p = obj(payload);
      const form = typeof p.body === 'string' && p.body.includes('<form');
      return p.statusCode === 200 && form
        ? { ok: true, summary: 'GET /: the sign-up page (200)' }
        : { ok: false, summary: `GET / answered ${String(p.statusCode)}${form ? '' : ', no sign-up form'}` };
    },
  },
];

/** Keys of a structured log line that say nothing about what happened. */
const NOISE = new Set([
  'level',
  'timestamp',
  'time',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'requestId',
  'function_request_id',
  'cold_start',
  'function_arn',
  'function_name',
  'function_memory_size',
  'stackTrace',
  'stack',
  'trace',
  '_aws',
]);

const MAX_LINE = 400;

/** A structured (JSON) log line as one readable line: its message, then its other fields as key=value. */
function readable(line: string): { text: string; level?: string; platform: boolean } {
  let entry: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) entry = parsed as never;
  } catch {}
  if (!entry) {
    const text = line.trim();
    return { text, platform: /^(START|END|REPORT|INIT_START|INIT_REPORT) /.test(text) };
  }
  if (typeof entry.type === 'string' && entry.type.startsWith('platform.')) return { text: line, platform: true };
  const fields = Object.entries(entry)
    .filter(([k, v]) => k !== 'message' && !NOISE.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  const text = [typeof entry.message === 'string' ? entry.message : '', ...fields].filter(Boolean).join(' ');
  return { text, level: typeof entry.level === 'string' ? entry.level.toUpperCase() : undefined, platform: false };
}

/**
 * The line of an invocation's log that explains its outcome: for a failure, the last error logged; for a
 * success, the last line a smoke mode logged (`smoke: …`), else the last line the function logged.
 */
export function explainingLine(log: string, failed: boolean): string | undefined {
  const lines = log
    .split('\n')
    .filter((l) => l.trim())
    .map(readable)
    .filter((l) => !l.platform && l.text);
  const pick = failed
    ? (lines.findLast((l) => l.level === 'ERROR' || l.level === 'FATAL' || /\bERROR\b/.test(l.text)) ?? lines.at(-1))
    : (lines.findLast((l) => /^smoke\b/i.test(l.text)) ?? lines.at(-1));
  if (!pick) return undefined;
  return pick.text.length > MAX_LINE ? `${pick.text.slice(0, MAX_LINE - 1)}…` : pick.text;
}

/** An answer with a FunctionError: the error the function raised, in a line. */
function describeFailure(answer: InvokeAnswer): string {
  const p = obj(answer.payload);
  const type = typeof p.errorType === 'string' ? p.errorType : undefined;
  const message = typeof p.errorMessage === 'string' ? p.errorMessage : JSON.stringify(answer.payload);
  return `${answer.functionError}: ${type ? `${type}: ` : ''}${message}`;
}

export interface SmokeDeps {
  invoker: FunctionInvoker;
  functions: Record<FunctionKey, string>;
  subscriptionApiUrl: string;
  now: () => Date;
}

/** Every function invoked at once; the results in a fixed order (compose, send, SES events, sign-up). */
export async function smokeDeployment(deps: SmokeDeps): Promise<SmokeResult[]> {
  const now = deps.now();
  return Promise.all(
    CHECKS.map(async (check): Promise<SmokeResult> => {
      const functionName = deps.functions[check.key];
      const base = { key: check.key, label: check.label, functionName };
      let answer: InvokeAnswer;
      try {
        answer = await deps.invoker.invoke(
          functionName,
          check.payload({ subscriptionApiUrl: deps.subscriptionApiUrl, now }),
        );
      } catch (error) {
        // Not invoked at all (not found, not allowed, no network): the API's error is the explanation.
        return { ...base, ok: false, summary: `not invoked: ${(error as Error).message}` };
      }
      const verdict = answer.functionError
        ? { ok: false, summary: describeFailure(answer) }
        : check.judge(answer.payload);
      const logLine = explainingLine(answer.log, !verdict.ok);
      return { ...base, ...verdict, ...(logLine ? { logLine } : {}) };
    }),
  );
}
