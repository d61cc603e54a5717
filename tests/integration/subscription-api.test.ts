/**
 * The subscription-api function end to end, invoked with API Gateway HTTP API (payload 2.0) events as the
 * deployed stage sends them, against dynalite and the local SES endpoint, on the bundle the stacks ship
 * (config and precompiled templates, the confirmation's included).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { createToken } from '../../lambda/core/tokens';
import { handler } from '../../lambda/handlers/subscription-api';
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
    const confirmed = await handler(event('GET', `${link.pathname}${link.search}`));
    expect(confirmed.statusCode).toBe(200);
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
      event('POST', '/subscribe', { body: `email=a%40b.co&x=${'y'.repeat(11_000)}`, headers: form }),
    );
    expect(big.statusCode).toBe(413);
  }, 30_000);
});
