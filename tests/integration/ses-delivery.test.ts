/** Delivery through SesMailer against a rate-limited SES v1 endpoint and the aws-ses-v2-local emulator. */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SesMailer } from '../../lambda/adapters/ses-mailer';
import { verifyToken } from '../../lambda/core/tokens';
import { deliverPaced, localSesClient, storeWithIssue } from '../helpers/delivery';
import { SECRET } from '../helpers/factories';
import { startSesServer } from './servers/ses-server';

const fastRetry = { attempts: 8, baseDelayMs: 20, maxDelayMs: 200, jitter: 0.5, deadlineMs: 10_000 };

const deliverThrough = (
  url: string,
  store: Parameters<typeof deliverPaced>[1],
  rate: number,
  configurationSet?: string,
) => deliverPaced(url, store, rate, { configurationSet, retry: fastRetry });

describe('SesMailer against a rate-limited SES endpoint', () => {
  it('delivers to 500 subscribers under random throttling: 500 distinct recipients, no duplicates', async () => {
    const ses = await startSesServer({ maxSendRate: 400, randomThrottle: 0.1 });
    try {
      const { store } = await storeWithIssue(500);
      const summary = await deliverThrough(ses.url, store, 400, 'digest-events');
      expect(summary).toMatchObject({ status: 'sent', sent: 500, failed: 0, refused: 0 });
      expect(summary.retried).toBeGreaterThan(0);
      expect(ses.counts.throttledAtRandom).toBeGreaterThan(0);
      const perRecipient = ses.perRecipient();
      expect(perRecipient.size).toBe(500);
      expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
      expect(ses.accepted.every((m) => m.configurationSet === 'digest-events' && m.tags.issue === '1')).toBe(true);
    } finally {
      await ses.stop();
    }
  });

  it('puts one-click unsubscribe headers on every message, each with its own token', async () => {
    const ses = await startSesServer({ maxSendRate: 500 });
    try {
      const { store } = await storeWithIssue(40);
      await deliverThrough(ses.url, store, 500);
      const tokens = new Set<string>();
      for (const m of ses.accepted) {
        const mail = await simpleParser(m.raw ?? '');
        const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
        const [https, mailto] = [...header.matchAll(/<([^>]+)>/g)].map((x) => x[1] ?? '');
        expect(https).toMatch(/^https:\/\/links\.example\.com\/unsubscribe\?token=/);
        expect(mailto).toMatch(/^mailto:me@links\.example\.com\?subject=unsubscribe/);
        expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
        );
        const token = decodeURIComponent(/token=([^&]+)$/.exec(https ?? '')?.[1] ?? '');
        const subscriber = await store.getSubscriber(verifyToken(SECRET, 'unsubscribe', token, Date.now()) ?? '');
        expect(subscriber?.email).toBe(m.to[0]);
        expect(mail.to).toMatchObject({ value: [{ address: m.to[0] }] });
        tokens.add(token);
      }
      expect(tokens.size).toBe(40);
    } finally {
      await ses.stop();
    }
  });

  it('records MessageRejected for that subscriber and goes on', async () => {
    const ses = await startSesServer({ maxSendRate: 500, refuse: ['r3@example.com', 'r7@example.com'] });
    try {
      const { store } = await storeWithIssue(10);
      const summary = await deliverThrough(ses.url, store, 500);
      expect(summary).toMatchObject({ status: 'sent', sent: 8, refused: 2 });
      expect(summary.errors.join('\n')).toMatch(/r3@example.com: refused: SES MessageRejected/);
      expect(await store.countDeliveries(1)).toEqual({ claimed: 0, sent: 8, refused: 2, omitted: 0 });
    } finally {
      await ses.stop();
    }
  });

  it('retries 5xx answers', async () => {
    const ses = await startSesServer({ maxSendRate: 500 });
    try {
      ses.failNext(3);
      const { store } = await storeWithIssue(5);
      const summary = await deliverThrough(ses.url, store, 500);
      expect(summary).toMatchObject({ status: 'sent', sent: 5, retried: 3 });
    } finally {
      await ses.stop();
    }
  });

  it('stops cleanly when the account is paused, and resumes later without duplicates', async () => {
    const ses = await startSesServer({ maxSendRate: 100 });
    try {
      const { store } = await storeWithIssue(60);
      // Paused once a few are through (not after a fixed time: reading the batch first takes longer when loaded).
      const paused = setInterval(() => {
        if (ses.accepted.length >= 5) {
          ses.pause(true);
          clearInterval(paused);
        }
      }, 2);
      const first = await deliverThrough(ses.url, store, 100);
      clearInterval(paused);
      expect(first.status).toBe('stopped');
      expect(first.stoppedBy).toMatch(/AccountSendingPausedException/);
      expect(first.sent).toBeGreaterThan(0);
      expect(first.sent).toBeLessThan(60);
      expect((await store.getIssue(1))?.status).toBe('sending');
      expect((await store.history()).sentLinks.size).toBe(0);

      ses.pause(false);
      const second = await deliverThrough(ses.url, store, 500);
      expect(second.status).toBe('sent');
      const perRecipient = ses.perRecipient();
      expect(perRecipient.size).toBe(60);
      expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await ses.stop();
    }
  });

  it('reads the account rate from GetSendQuota', async () => {
    const ses = await startSesServer({ maxSendRate: 14 });
    try {
      expect(await new SesMailer({ client: localSesClient(ses.url) }).maxSendRate()).toBe(14);
    } finally {
      await ses.stop();
    }
  });
});

describe('SesMailer against aws-ses-v2-local', () => {
  let server: import('node:http').Server;
  let url: string;
  beforeAll(async () => {
    const { default: start } = (await import('aws-ses-v2-local')) as unknown as {
      default: (o: { host: string; port: number }) => Promise<import('node:http').Server>;
    };
    server = await start({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('delivers every message with the issue in the body', async () => {
    await fetch(`${url}/clear-store`, { method: 'POST' });
    const { store, record } = await storeWithIssue(20);
    const summary = await deliverThrough(url, store, 1000);
    expect(summary).toMatchObject({ status: 'sent', sent: 20 });
    const { emails } = (await (await fetch(`${url}/store`)).json()) as {
      emails: { destination: { to: string[] }; subject: string; body: { html?: string; text?: string } }[];
    };
    expect(emails).toHaveLength(20);
    expect(new Set(emails.flatMap((e) => e.destination.to))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => `r${i}@example.com`)),
    );
    for (const e of emails) {
      expect(e.subject).toBe(record.rendered.subject);
      expect(e.body.html).toContain('https://example.com/article-3');
      expect(e.body.text).toContain('https://example.com/article-3');
    }
  });

  it('falls back when GetSendQuota does not answer in time', async () => {
    const started = Date.now();
    expect(await new SesMailer({ client: localSesClient(url, 10_000) }).maxSendRate(300)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
