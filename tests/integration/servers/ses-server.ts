/**
 * A small Amazon SES v1 (awsQuery) endpoint on 127.0.0.1 for tests and the bench: it enforces a send
 * rate with `Throttling` errors (a token bucket holding one second of sends), throttles a share of
 * requests at random, refuses chosen addresses with `MessageRejected`, can pause the account, answers
 * `GetSendQuota`, and keeps the raw MIME it accepts (aws-ses-v2-local drops custom headers and never
 * throttles). Messages can be kept as counts only, for runs of 100,000.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SesServerOptions {
  /** Accepted messages per second. */
  maxSendRate: number;
  /** Share of requests throttled at random, 0..1. */
  randomThrottle?: number;
  refuse?: string[];
  /** Keep raw messages (default) or only recipients and times. */
  keepRaw?: boolean;
  /** The 24-hour quota: past it, sends are refused with `Throttling` "Daily message quota exceeded." */
  max24HourSend?: number;
  random?: () => number;
}

export interface AcceptedMessage {
  to: string[];
  at: number;
  raw?: string;
  configurationSet?: string;
  tags: Record<string, string>;
}

const NS = 'http://ses.amazonaws.com/doc/2010-12-01/';

function errorXml(code: string, message: string) {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export async function startSesServer(options: SesServerOptions) {
  const random = options.random ?? Math.random;
  const refuse = new Set((options.refuse ?? []).map((a) => a.toLowerCase()));
  const accepted: AcceptedMessage[] = [];
  const counts = { requests: 0, throttledByRate: 0, throttledAtRandom: 0, rejected: 0, paused: 0, overQuota: 0 };
  const state = { paused: false, failNext: 0, max24HourSend: options.max24HourSend ?? 1_000_000 };
  let tokens = Math.max(1, options.maxSendRate);
  let refilled = performance.now();

  const takeToken = () => {
    const now = performance.now();
    tokens = Math.min(Math.max(1, options.maxSendRate), tokens + ((now - refilled) / 1000) * options.maxSendRate);
    refilled = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(body);
      };
      const action = form.get('Action');
      if (action === 'GetSendQuota') {
        return reply(
          200,
          `<GetSendQuotaResponse xmlns="${NS}"><GetSendQuotaResult><Max24HourSend>${state.max24HourSend}</Max24HourSend><MaxSendRate>${options.maxSendRate}</MaxSendRate><SentLast24Hours>${accepted.length}</SentLast24Hours></GetSendQuotaResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetSendQuotaResponse>`,
        );
      }
      if (action !== 'SendRawEmail') return reply(400, errorXml('InvalidAction', `Unsupported action ${action}`));
      if (state.failNext > 0) {
        state.failNext--;
        return reply(500, errorXml('InternalFailure', 'Internal failure'));
      }
      if (accepted.length >= state.max24HourSend) {
        counts.overQuota++;
        return reply(400, errorXml('Throttling', 'Daily message quota exceeded.'));
      }
      if (state.paused) {
        counts.paused++;
        return reply(400, errorXml('AccountSendingPausedException', 'Account sending paused.'));
      }
      const to = [...form.entries()].filter(([k]) => k.startsWith('Destinations.member.')).map(([, v]) => v);
      if (to.some((a) => refuse.has(a.toLowerCase()))) {
        counts.rejected++;
        return reply(400, errorXml('MessageRejected', 'Email address is not verified.'));
      }
      if (random() < (options.randomThrottle ?? 0)) {
        counts.throttledAtRandom++;
        return reply(400, errorXml('Throttling', 'Maximum sending rate exceeded.'));
      }
      if (!takeToken()) {
        counts.throttledByRate++;
        return reply(400, errorXml('Throttling', 'Maximum sending rate exceeded.'));
      }
      const tags: Record<string, string> = {};
      for (let i = 1; form.has(`Tags.member.${i}.Name`); i++) {
        tags[form.get(`Tags.member.${i}.Name`) ?? ''] = form.get(`Tags.member.${i}.Value`) ?? '';
      }
      const data = form.get('RawMessage.Data') ?? '';
      accepted.push({
        to,
        at: performance.now(),
        ...(options.keepRaw === false ? {} : { raw: Buffer.from(data, 'base64').toString('utf8') }),
        ...(form.get('ConfigurationSetName') ? { configurationSet: form.get('ConfigurationSetName') ?? '' } : {}),
        tags,
      });
      return reply(
        200,
        `<SendRawEmailResponse xmlns="${NS}"><SendRawEmailResult><MessageId>${randomUUID()}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendRawEmailResponse>`,
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    counts,
    pause(paused = true) {
      state.paused = paused;
    },
    failNext(n: number) {
      state.failNext = n;
    },
    /** Sets the 24-hour quota (raise it to let the held-back rest through). */
    setQuota(max24HourSend: number) {
      state.max24HourSend = max24HourSend;
    },
    /** Accepted messages per recipient. */
    perRecipient() {
      const map = new Map<string, number>();
      for (const m of accepted) for (const t of m.to) map.set(t, (map.get(t) ?? 0) + 1);
      return map;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SesServer = Awaited<ReturnType<typeof startSesServer>>;
