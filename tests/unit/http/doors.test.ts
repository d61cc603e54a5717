/**
 * The doors of the subscription handler a hostile page or a pasted address could push on (issue 18; the
 * confirm link's GET and POST are in handler.test.ts): cross-site sign-ups are refused, multipart forms are read, invisible characters are refused, an international domain is one subscriber in either spelling,
 * and the honeypot's answer echoes nothing.
 */
import { fromAnotherSite, HONEYPOT_FIELD, multipartFields } from '../../../lambda/http/handler';
import { confirmTarget, FORM, harness, JSON_TYPE, request, subscribeForm } from '../../helpers/subscription';

const multipart = (fields: Record<string, string>, boundary = '----formdata-chromium-x') => ({
  headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  body: `${Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('')}--${boundary}--\r\n`,
});

describe('cross-site sign-ups', () => {
  it.each([
    ['Origin of another site', { Origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['both', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['the null Origin of a sandboxed frame', { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }],
    ['a null Origin from a sibling subdomain', { Origin: 'null', 'Sec-Fetch-Site': 'same-site' }],
    ['an Origin of another site from a browser without Sec-Fetch-Site', { Origin: 'https://evil.example' }],
    ['a sibling subdomain', { Origin: 'https://blog.links.example.com', 'Sec-Fetch-Site': 'same-site' }],
  ])('refuses %s with 403, storing and mailing nothing', async (_what, headers) => {
    const { handle, store, mailer } = harness();
    const res = await handle(
      request('POST', '/subscribe', { headers: { ...FORM, ...headers }, body: 'email=victim%40example.org' }),
    );
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/came from a page of another site/);
    expect(res.body).not.toContain('victim');
    expect(await store.findSubscriber('victim@example.org')).toBeUndefined();
    expect(mailer.accepted).toHaveLength(0);
  });

  it.each([
    ['the site’s own page', { Origin: 'https://links.example.com', 'Sec-Fetch-Site': 'same-origin' }],
    // What Chromium sends for the page's own form under its Referrer-Policy: no-referrer.
    ['the site’s own page, as Chromium sends it', { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }],
    ['the page of the host it was sent to', { Origin: 'http://127.0.0.1:8080', Host: '127.0.0.1:8080' }],
    ['an API client with neither header', {}],
    ['a typed-in request', { 'Sec-Fetch-Site': 'none' }],
  ])('takes a sign-up from %s', async (_what, headers) => {
    const { handle, mailer } = harness();
    const res = await handle(
      request('POST', '/subscribe', { headers: { ...FORM, ...headers }, body: 'email=ok%40example.org' }),
    );
    expect(res.status).toBe(200);
    expect(mailer.accepted).toHaveLength(1);
  });

  it('judges by the origin, host and case as a browser writes them', () => {
    const r = (headers: Record<string, string>) => request('POST', '/subscribe', { headers });
    expect(fromAnotherSite(r({ origin: 'HTTPS://LINKS.EXAMPLE.COM' }), 'https://links.example.com')).toBe(false);
    expect(fromAnotherSite(r({ origin: 'https://links.example.com.evil.example' }), 'https://links.example.com')).toBe(
      true,
    );
    expect(fromAnotherSite(r({ origin: 'not a url', host: 'x' }), 'https://links.example.com')).toBe(true);
  });
});

describe('multipart sign-ups', () => {
  it('reads a multipart/form-data form as the urlencoded one: stored, mailed, same answer', async () => {
    const { handle, store, mailer } = harness();
    const res = await handle(request('POST', '/subscribe', multipart({ email: 'multi@example.com', website: '' })));
    const plain = await harness().handle(subscribeForm('multi@example.com'));
    expect(res.status).toBe(200);
    expect(res.body).toBe(plain.body);
    expect((await store.findSubscriber('multi@example.com'))?.status).toBe('pending');
    expect(mailer.accepted.map((m) => m.to)).toEqual(['multi@example.com']);
  });

  it('takes the field once, skips file parts, and refuses a body without its boundary', () => {
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="email"\r\n\r\none@example.com\r\n' +
        '--b\r\nContent-Disposition: form-data; name="email"\r\n\r\ntwo@example.com\r\n' +
        '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n',
    );
    expect(multipartFields(body, 'multipart/form-data; boundary=b')).toEqual({ email: 'one@example.com' });
    expect(multipartFields(body, 'multipart/form-data; boundary="b"')).toEqual({ email: 'one@example.com' });
    expect(() => multipartFields(body, 'multipart/form-data')).toThrow(/needs the boundary/);
  });
});

describe('addresses', () => {
  it.each([
    ['a zero-width space', 'zw\u200Bx@example.com', 'U+200B'],
    ['a right-to-left override', 'abc\u202E@example.com', 'U+202E'],
    ['a soft hyphen in the domain', 'a@exa\u00ADmple.com', 'U+00AD'],
    ['a byte-order mark', '\uFEFFa@example.com', 'U+FEFF'],
    ['a Hangul filler', 'a\u3164@example.com', 'U+3164'],
  ])('refuses %s with a message naming it, storing nothing', async (_what, email, code) => {
    const { handle, store, mailer } = harness();
    const res = await handle(subscribeForm(email));
    expect(res.status).toBe(400);
    expect(res.body).toContain(`cannot be seen (${code})`);
    const json = await handle(request('POST', '/subscribe', { headers: JSON_TYPE, body: JSON.stringify({ email }) }));
    expect(JSON.parse(json.body)).toMatchObject({ status: 'invalid-address' });
    expect(JSON.parse(json.body).message).toContain(code);
    expect((await store.listSubscribers({ limit: 10 })).items).toEqual([]);
    expect(mailer.accepted).toHaveLength(0);
  });

  it('takes an international domain, and its Unicode and punycode spellings are one subscriber', async () => {
    const { handle, store, mailer } = harness({ limits: { perAddressPerDay: 10 } });
    expect((await handle(subscribeForm('user@bücher.example'))).status).toBe(200);
    expect((await handle(subscribeForm('user@xn--bcher-kva.example'))).status).toBe(200);
    expect((await handle(subscribeForm('user@BÜCHER.example'))).status).toBe(200);
    const all = (await store.listSubscribers({ limit: 10 })).items;
    expect(all.map((s) => s.email)).toEqual(['user@xn--bcher-kva.example']);
    // One confirmation a day, to the ASCII form the wire takes; the page shows the domain as the reader wrote it.
    expect(mailer.accepted.map((m) => m.to)).toEqual(['user@xn--bcher-kva.example']);
    const page = await handle(request('GET', await confirmTarget(mailer.accepted[0]?.raw ?? Buffer.alloc(0))));
    expect(page.body).toContain('user@bücher.example');
  });

  it('a bot that fills the honeypot gets an answer that echoes nothing it sent', async () => {
    const { handle, store } = harness();
    const text = `Visit-evil.example-for-prizes-${'x'.repeat(200)}@example.com`;
    const res = await handle(subscribeForm(text, undefined, `&${HONEYPOT_FIELD}=http%3A%2F%2Fspam.example`));
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/Check your inbox/);
    expect(res.body).not.toMatch(/evil|prizes|xxxx|spam\.example/);
    expect((await store.listSubscribers({ limit: 10 })).items).toEqual([]);
  });
});
