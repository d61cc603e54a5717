/**
 * The subscription-api function end to end, invoked with API Gateway HTTP API (payload 2.0) events as the
 * deployed stage sends them, against dynalite and the local SES endpoint, on the bundle the stacks ship
 * (config and precompiled templates, the confirmation's included).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { createToken } from '../../lambda/core/tokens';
import { handler } from '../../lambda/handlers/subscription-api';
import { MAX_BODY_BYTES } from '../../lambda/http/types';
import { awsDigestConfig, startLocalAws as start, type startLocalAws } from '../helpers/aws-local';

let aws: Awaited<ReturnType<typeof startLocalAws>>;

beforeAll(async () => {
  aws = await start({
    sesRate: 100,
    batchSize: 10,
    maxReceiveCount: 3,
    config: { ...awsDigestConfig('Links I Found'), subscriptions: { perIpPerHour: 3 } },
  });
}, 60_000);

afterAll(async () => {
  await aws?.stop();
});

function event(
  method: string,
  target: string,
  options: { body?: string; headers?: Record<string, string>; ip?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = target.split('?');
  const base64 = options.base64 ?? false;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: options.ip ?? '198.51.100.20', userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    body: options.body === undefined ? undefined : base64 ? Buffer.from(options.body).toString('base64') : options.body,
    isBase64Encoded: base64,
  } as APIGatewayProxyEventV2;
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('the subscription-api function', () => {
  it('serves the page, takes a sign-up, mails the confirmation through SES, confirms and unsubscribes in one click', async () => {
    const page = await handler(event('GET', '/'));
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['Content-Security-Policy']).toMatch(/default-src 'none'/);
    expect(page.body).toContain('<form method="post" action="subscribe">');

    // API Gateway hands form bodies over base64-encoded.
    const signup = await handler(
      event('POST', '/subscribe', { body: 'email=lambda%40example.com', headers: form, base64: true }),
    );
    expect(signup.statusCode).toBe(200);
    expect(signup.body).toMatch(/Check your inbox/);
    const store = aws.store();
    const pending = await store.findSubscriber('lambda@example.com');
    expect(pending?.status).toBe('pending');

    const [sent] = aws.ses.accepted.filter((m) => m.to.includes('lambda@example.com'));
    expect(sent?.configurationSet).toBe('digest-set');
    const mail = await simpleParser(sent?.raw ?? '');
    expect(mail.subject).toBe('Confirm your subscription to Links I Found');
    const link = new URL(/https:\/\/links\.example\.com\/confirm\?token=\S+/.exec(mail.text ?? '')?.[0] ?? 'x:');
    // The link opens a page with one button (a scanner's GET changes nothing); the button's POST confirms.
    const opened = await handler(event('GET', `${link.pathname}${link.search}`));
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toMatch(/<form method="post" action="confirm\?token=[^"]+">/);
    expect((await handler(event('HEAD', `${link.pathname}${link.search}`))).statusCode).toBe(200);
    expect((await store.findSubscriber('lambda@example.com'))?.status).toBe('pending');
    const confirmed = await handler(
      event('POST', `${link.pathname}${link.search}`, { headers: form, base64: true, body: '' }),
    );
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toMatch(/You are subscribed/);
    expect((await store.findSubscriber('lambda@example.com'))?.status).toBe('active');

    // A send-batch-made unsubscribe link, one-clicked as Gmail does.
    const token = createToken(aws.env.DIGEST_SIGNING_SECRET ?? '', 'unsubscribe', pending?.id ?? '');
    const scanned = await handler(event('GET', `/unsubscribe?token=${token}`));
    expect(scanned.statusCode).toBe(200);
    expect((await store.findSubscriber('lambda@example.com'))?.status).toBe('active');
    const oneClick = await handler(
      event('POST', `/unsubscribe?token=${token}`, { body: 'List-Unsubscribe=One-Click', headers: form, base64: true }),
    );
    expect(oneClick.statusCode).toBe(200);
    expect((await store.findSubscriber('lambda@example.com'))?.status).toBe('unsubscribed');
  }, 30_000);

  it('keeps the per-IP limit in the table, and answers 413 to an oversized body', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await handler(
        event('POST', '/subscribe', { body: `email=ip${i}%40example.com`, headers: form, ip: '203.0.113.99' }),
      );
      statuses.push(res.statusCode ?? 0);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const big = await handler(
      event('POST', '/subscribe', { body: `email=a%40b.co&x=${'y'.repeat(MAX_BODY_BYTES + 1_000)}`, headers: form }),
    );
    expect(big.statusCode).toBe(413);
  }, 30_000);

  it('holds the doors of issue 18 as serve does: cross-site, long and international addresses, honeypot, tokens, multipart', async () => {
    const store = aws.store();
    // This stage allows 3 sign-ups an hour per IP: each request here comes from an address of its own.
    let n = 0;
    const nextIp = () => `198.51.100.${100 + n++}`;
    const post = (body: string, headers: Record<string, string> = form) =>
      handler(event('POST', '/subscribe', { body, headers, base64: true, ip: nextIp() }));
    const mailTo = async (email: string) => {
      const sent = aws.ses.accepted.filter((m) => m.to.some((t) => t.toLowerCase().includes(email.toLowerCase())));
      return simpleParser(sent.at(-1)?.raw ?? '');
    };

    const crossSite = await post('email=victim%40example.org', {
      ...form,
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.statusCode).toBe(403);
    expect(await store.findSubscriber('victim@example.org')).toBeUndefined();
    expect(aws.ses.accepted.some((m) => m.to.join().includes('victim@'))).toBe(false);
    // The site's own page, behind CloudFront (its Origin is siteUrl's), as Chromium sends it.
    const own = await post('email=own%40example.org', {
      ...form,
      origin: 'https://links.example.com',
      'sec-fetch-site': 'same-origin',
    });
    expect(own.statusCode).toBe(200);

    const long = `${'l'.repeat(254 - '@example.com'.length)}@example.com`;
    expect((await post(`email=${long}`)).statusCode).toBe(200);
    const longLink = new URL(
      /https:\/\/links\.example\.com\/confirm\?token=\S+/.exec((await mailTo(long)).text ?? '')?.[0] ?? 'x:',
    );
    const target = `${longLink.pathname}${longLink.search}`;
    // Every other spelling of its last character is refused; the one made confirms.
    const others = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
      .map((c) => `${target.slice(0, -1)}${c}`)
      .filter((t) => t !== target);
    for (const other of others) expect((await handler(event('POST', other, { ip: nextIp() }))).statusCode).toBe(400);
    expect((await store.findSubscriber(long))?.status).toBe('pending');
    expect((await handler(event('POST', target, { ip: nextIp() }))).statusCode).toBe(200);
    expect((await store.findSubscriber(long))?.status).toBe('active');

    expect((await post(`email=${encodeURIComponent('leser@bücher.example')}`)).statusCode).toBe(200);
    expect((await post('email=leser%40xn--bcher-kva.example')).statusCode).toBe(200);
    expect((await store.findSubscriber('leser@xn--bcher-kva.example'))?.email).toBe('leser@xn--bcher-kva.example');
    expect(await store.findSubscriber('leser@bücher.example')).toBeUndefined();

    const invisible = await post(`email=${encodeURIComponent('zw\u200Bx@example.com')}`);
    expect(invisible.statusCode).toBe(400);
    expect(invisible.body).toContain('U+200B');

    const bot = await post(`email=Win-a-prize-${'z'.repeat(200)}%40example.com&website=spam`);
    expect(bot.statusCode).toBe(200);
    expect(bot.body).not.toMatch(/Win-a-prize|zzzz/);

    const boundary = '----formdata-x';
    const multipart = await post(
      `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nmulti@example.org\r\n--${boundary}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
    );
    expect(multipart.statusCode).toBe(200);
    expect((await store.findSubscriber('multi@example.org'))?.status).toBe('pending');

    expect((await handler(event('GET', '/%00'))).statusCode).toBe(404);
  }, 60_000);
});
