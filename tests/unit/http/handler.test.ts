import { createHash, createHmac } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { SubscriberStatus } from '../../../lambda/core/model';
import { checkToken, createToken } from '../../../lambda/core/tokens';
import { HONEYPOT_FIELD } from '../../../lambda/http/handler';
import { MAX_BODY_BYTES } from '../../../lambda/http/types';
import type { Store } from '../../../lambda/ports/store';
import {
  confirmTarget,
  FORM,
  harness,
  JSON_TYPE,
  request,
  SIGNING,
  START,
  subscribeForm,
  tokenOf,
} from '../../helpers/subscription';

const DAY = 86_400_000;

async function subscriberIn(store: Store, email: string, status: SubscriberStatus) {
  const { subscriber } = await store.addSubscriber({ email, status: 'active' }, new Date(START - DAY).toISOString());
  if (status !== 'active') await store.setSubscriberStatus(subscriber.id, status, new Date(START - DAY).toISOString());
  return subscriber;
}

async function countSubscribers(store: Store) {
  return (await store.listSubscribers({ limit: 1000 })).items.length;
}

describe('GET /', () => {
  it('serves the signup form that works without JavaScript, under a strict CSP whose hash allows its one style', async () => {
    const { handle } = harness({ site: { intro: 'Links & <b>notes</b>', latestIssue: async () => 7 } });
    const res = await handle(request('GET', '/'));
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(/<form method="post" action="subscribe">/);
    expect(res.body).toMatch(/<label for="email">/);
    expect(res.body).toMatch(/<input id="email" name="email" type="email"/);
    expect(res.body).toContain(`name="${HONEYPOT_FIELD}"`);
    expect(res.body).toMatch(/<div class="hp" aria-hidden="true">/);
    expect(res.body).toContain('Links &amp; &lt;b&gt;notes&lt;/b&gt;');
    expect(res.body).toContain('href="https://links.example.com/issues/7/"');
    expect(res.body).toContain('href="https://links.example.com/issues/">all issues</a>');
    expect(res.body).not.toMatch(/<script/i);
    const csp = res.headers['Content-Security-Policy'] ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/form-action 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(res.headers['Referrer-Policy']).toBe('no-referrer');
    expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('answers HEAD without a body, an unknown path with 404 and a wrong method with 405 and Allow', async () => {
    const { handle } = harness();
    const head = await handle(request('HEAD', '/'));
    expect([head.status, head.body]).toEqual([200, '']);
    const missing = await handle(request('GET', '/wp-login.php'));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatch(/sign up/);
    const put = await handle(request('PUT', '/subscribe'));
    expect(put.status).toBe(405);
    expect(put.headers.Allow).toBe('GET, HEAD, POST');
  });

  it('serves under the path of a siteUrl that has one', async () => {
    const { handle, mailer } = harness({ siteUrl: 'https://example.com/news/' });
    expect((await handle(request('GET', '/news/'))).status).toBe(200);
    expect((await handle(subscribeForm('a@example.com'))).status).toBe(200);
    const target = await confirmTarget(mailer.accepted[0]?.raw ?? Buffer.alloc(0));
    expect(target.startsWith('/news/confirm?token=')).toBe(true);
    expect((await handle(request('GET', target))).status).toBe(200);
  });
});

describe('POST /subscribe', () => {
  it('stores a new address as pending and mails it a confirmation whose token is bound to it, for 7 days', async () => {
    const { handle, store, mailer } = harness();
    const res = await handle(subscribeForm('Ann@Example.COM'));
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/Check your inbox/);
    // The answer echoes nothing of the input: it is the same for a bot that filled the honeypot.
    expect(res.body).not.toMatch(/Ann@Example/i);
    const s = await store.findSubscriber('ann@example.com');
    expect(s?.status).toBe('pending');
    expect(mailer.accepted).toHaveLength(1);
    const message = mailer.accepted[0];
    expect(message?.to).toBe('Ann@example.com');
    const raw = message?.raw.toString('utf8') ?? '';
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const mail = await simpleParser(message?.raw ?? Buffer.alloc(0));
    expect(mail.subject).toBe('Confirm your subscription to Links I Found');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.text).toMatch(/Confirm: https:\/\/links\.example\.com\/confirm\?token=/);
    const token = tokenOf(await confirmTarget(message?.raw ?? Buffer.alloc(0)));
    expect(token).not.toMatch(/ann|example/i);
    expect(checkToken(SIGNING, 'confirm', token, START)).toEqual(
      expect.objectContaining({ valid: true, subject: s?.id, expiresAt: START + 7 * DAY }),
    );
    expect(checkToken(SIGNING, 'unsubscribe', token, START).valid).toBe(false);
  });

  it('takes JSON and answers 202 with JSON', async () => {
    const { handle, mailer } = harness();
    const res = await handle(
      request('POST', '/subscribe', { body: JSON.stringify({ email: 'j@example.com' }), headers: JSON_TYPE }),
    );
    expect(res.status).toBe(202);
    expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, status: 'check-your-inbox' });
    expect(mailer.accepted).toHaveLength(1);
  });

  it('answers byte for byte the same whether the address is new, pending, active, unsubscribed or suppressed', async () => {
    const email = 'same@example.com';
    const answers: string[] = [];
    for (const state of ['new', 'pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const) {
      for (const json of [false, true]) {
        const h = harness();
        if (state !== 'new') await subscriberIn(h.store, email, state);
        const res = await h.handle(
          json
            ? request('POST', '/subscribe', { body: JSON.stringify({ email }), headers: JSON_TYPE })
            : subscribeForm(email),
        );
        answers.push(`${json} ${res.status} ${JSON.stringify(res.headers)} ${res.body}`);
        expect(h.mailer.accepted).toHaveLength(1); // each is sent the same confirmation: equal work, equal time
      }
    }
    expect(new Set(answers.filter((a) => a.startsWith('false'))).size).toBe(1);
    expect(new Set(answers.filter((a) => a.startsWith('true'))).size).toBe(1);
  });

  it('changes no state but pending on a repeat: suppression and unsubscribes win until the address confirms', async () => {
    const { handle, store, mailer } = harness();
    const bounced = await subscriberIn(store, 'b@example.com', 'bounced');
    const left = await subscriberIn(store, 'u@example.com', 'unsubscribed');
    const active = await subscriberIn(store, 'a@example.com', 'active');
    for (const email of ['b@example.com', 'u@example.com', 'a@example.com']) await handle(subscribeForm(email));
    expect((await store.getSubscriber(bounced.id))?.status).toBe('bounced');
    expect((await store.getSubscriber(left.id))?.status).toBe('unsubscribed');
    expect((await store.getSubscriber(active.id))?.status).toBe('active');
    const alreadyActive = await simpleParser(mailer.accepted[2]?.raw ?? Buffer.alloc(0));
    expect(alreadyActive.html).toContain('(already)');
    // The bounced address confirms: only then is it active again.
    const res = await handle(confirmPost(await confirmTarget(mailer.accepted[0]?.raw ?? Buffer.alloc(0))));
    expect(res.status).toBe(200);
    expect((await store.getSubscriber(bounced.id))?.status).toBe('active');
  });

  it('sends at most one confirmation a day per address, however often it is asked, and answers the same', async () => {
    const { handle, store, mailer, clock } = harness();
    const first = await handle(subscribeForm('r@example.com', '198.51.100.1'));
    const again = await handle(subscribeForm('r@example.com', '198.51.100.2'));
    expect(again).toEqual(first);
    expect(mailer.accepted).toHaveLength(1);
    expect(await countSubscribers(store)).toBe(1);
    clock.now += DAY - 1000;
    await handle(subscribeForm('r@example.com'));
    expect(mailer.accepted).toHaveLength(1);
    clock.now += 1000;
    await handle(subscribeForm('r@example.com'));
    expect(mailer.accepted).toHaveLength(2);
    expect((await store.findSubscriber('r@example.com'))?.status).toBe('pending');
  });

  it.each([
    ['a CR/LF header injection', 'a@example.com\r\nBcc: victim@example.org'],
    ['a trailing CRLF', 'a@example.com\r\n'],
    ['a bare LF', 'a@exam\nple.com'],
    ['a control character', 'a\u0000b@example.com'],
    ['a line separator', 'a@example.com\u2028'],
    ['more than 254 octets (in fewer characters)', `${'é'.repeat(130)}@example.com`],
    ['no @', 'not-an-address'],
    ['an empty field', ''],
  ])('refuses %s with 400, storing and sending nothing', async (_what, email) => {
    const { handle, store, mailer } = harness();
    const res = await handle(subscribeForm(email));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/does not look like an email address/);
    expect(res.body).toMatch(/aria-invalid="true"/);
    expect(res.body).not.toMatch(/[\r\u2028]/);
    expect(res.body).not.toContain('\u0000');
    expect(await countSubscribers(store)).toBe(0);
    expect(mailer.accepted).toHaveLength(0);
  });

  it('never echoes input unescaped, in the page or in JSON', async () => {
    const { handle } = harness();
    const evil = '"><script>alert(1)</script>@x';
    const page = await handle(subscribeForm(evil));
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&quot;&gt;&lt;script&gt;');
    const hp = await handle(
      subscribeForm(`<img src=x onerror=alert(1)>@example.com`, undefined, `&${HONEYPOT_FIELD}=x`),
    );
    expect(hp.body).not.toContain('<img');
    const json = await handle(
      request('POST', '/subscribe', { body: JSON.stringify({ email: '</script><b>@x' }), headers: JSON_TYPE }),
    );
    expect(json.body).not.toContain('<');
    expect(JSON.parse(json.body).status).toBe('invalid-address');
  });

  it('gives a bot that fills the honeypot the normal answer, and stores and sends nothing', async () => {
    const { handle, store, mailer } = harness();
    const human = harness();
    const bot = await handle(subscribeForm('v@example.com', undefined, `&${HONEYPOT_FIELD}=http%3A%2F%2Fspam.example`));
    const person = await human.handle(subscribeForm('v@example.com'));
    expect(bot).toEqual(person);
    expect(await countSubscribers(store)).toBe(0);
    expect(mailer.accepted).toHaveLength(0);
  });

  it('limits sign-ups per IP (429 with Retry-After), for that IP only, until the hour is over', async () => {
    const { handle, mailer, clock } = harness({ limits: { perIpPerHour: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await handle(subscribeForm(`p${i}@example.com`, '192.0.2.9'))).status).toBe(200);
    clock.now += 10 * 60_000;
    const limited = await handle(subscribeForm('p9@example.com', '192.0.2.9'));
    expect(limited.status).toBe(429);
    expect(limited.headers['Retry-After']).toBe(String(50 * 60));
    expect(limited.body).toMatch(/Try again in 50 minutes/);
    expect((await handle(subscribeForm('p9@example.com', '192.0.2.10'))).status).toBe(200);
    // One IPv6 subscriber line (a /64) is one client.
    for (let i = 0; i < 3; i++) await handle(subscribeForm(`q${i}@example.com`, `2001:db8:1:2::${i + 1}`));
    expect((await handle(subscribeForm('q9@example.com', '2001:db8:1:2:ffff::9'))).status).toBe(429);
    clock.now += 50 * 60_000;
    expect((await handle(subscribeForm('p9@example.com', '192.0.2.9'))).status).toBe(200);
    expect(mailer.accepted.map((m) => m.to)).not.toContain('q9@example.com');
  });

  it('limits requests per address from any IP, the same for a known and an unknown address', async () => {
    const statuses = async (known: boolean) => {
      const { handle, store } = harness({ limits: { perAddressPerDay: 2 } });
      if (known) await subscriberIn(store, 'k@example.com', 'active');
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await handle(subscribeForm('k@example.com', `192.0.2.${i}`))).status);
      return out;
    };
    expect(await statuses(true)).toEqual([200, 200, 429]);
    expect(await statuses(false)).toEqual([200, 200, 429]);
  });

  it('answers 413 to a body over MAX_BODY_BYTES (24 KB) and 415 to a body it does not read, storing nothing', async () => {
    const { handle, store } = harness();
    const big = await handle(subscribeForm(`a@example.com`, undefined, `&x=${'y'.repeat(MAX_BODY_BYTES)}`));
    expect(big.status).toBe(413);
    const flagged = await handle({ ...subscribeForm('a@example.com'), bodyTooLarge: true });
    expect(flagged.status).toBe(413);
    const xml = await handle(
      request('POST', '/subscribe', { body: '<email/>', headers: { 'Content-Type': 'application/xml' } }),
    );
    expect(xml.status).toBe(415);
    const cut = await handle(
      request('POST', '/subscribe', { body: 'x', headers: { 'Content-Type': 'multipart/form-data; boundary=x' } }),
    );
    expect(cut.status).toBe(400);
    expect(cut.body).toMatch(/closing boundary is missing/);
    const badJson = await handle(request('POST', '/subscribe', { body: '{"email":', headers: JSON_TYPE }));
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).message).toMatch(/not valid JSON/);
    expect(await countSubscribers(store)).toBe(0);
  });

  it('answers 503 when the confirmation cannot be sent, and sends it on the next try', async () => {
    let down = true;
    const { handle, mailer } = harness({ failFor: () => (down ? 'transient' : undefined) });
    const res = await handle(subscribeForm('t@example.com'));
    expect(res.status).toBe(503);
    expect(res.headers['Retry-After']).toBe('60');
    down = false;
    expect((await handle(subscribeForm('t@example.com'))).status).toBe(200);
    expect(mailer.accepted).toHaveLength(1);
  });

  it('answers an unexpected failure with a page that says what to do, never a stack trace, and logs it', async () => {
    const { handle, store, logs } = harness();
    store.addSubscriber = async () => {
      throw new Error('disk on fire at /secret/path');
    };
    const res = await handle(subscribeForm('e@example.com'));
    expect(res.status).toBe(500);
    expect(res.body).toMatch(/try again in a minute/);
    expect(res.body).not.toMatch(/disk on fire|secret|at .*\.ts/);
    expect(logs.join('\n')).toMatch(/disk on fire/);
  });
});

/** The confirm page's button: a POST to the link's own URL, as the form sends it. */
const confirmPost = (target: string) => request('POST', target, { headers: FORM, body: '' });

describe('/confirm', () => {
  async function pending() {
    const h = harness();
    await h.handle(subscribeForm('c@example.com'));
    const target = await confirmTarget(h.mailer.accepted[0]?.raw ?? Buffer.alloc(0));
    const id = (await h.store.findSubscriber('c@example.com'))?.id ?? '';
    return { ...h, target, id };
  }

  it('GET and HEAD show one button that posts back to the same URL, and confirm nothing', async () => {
    const { handle, store, target, id } = await pending();
    const page = await handle(request('GET', target, { headers: { 'User-Agent': 'link scanner' } }));
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Send Links I Found to c@example\.com\?/);
    const forms = page.body.match(/<form method="post" action="confirm\?token=([^"]+)">/g) ?? [];
    expect(forms).toHaveLength(1);
    expect(page.body.match(/<button/g)).toHaveLength(1);
    expect(page.body).toContain(`action="confirm?token=${target.split('token=')[1]}"`);
    const head = await handle(request('HEAD', target));
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await handle(request('GET', target, { headers: { Accept: 'application/json' } }))).body).toContain(
      'confirm-subscription',
    );
    expect((await store.getSubscriber(id))?.status).toBe('pending');
  });

  it('POST with the token as a form field confirms too; a JSON client gets JSON', async () => {
    const { handle, store, target, id } = await pending();
    const token = new URLSearchParams(target.split('?')[1]).get('token') ?? '';
    const res = await handle(
      request('POST', '/confirm', {
        headers: { ...FORM, Accept: 'application/json' },
        body: `token=${encodeURIComponent(token)}`,
      }),
    );
    expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, status: 'confirmed' });
    expect((await store.getSubscriber(id))?.status).toBe('active');
    const again = await handle(request('POST', target, { headers: { Accept: 'application/json' } }));
    expect(JSON.parse(again.body)).toMatchObject({ ok: true, status: 'already-confirmed' });
  });

  it('a confirm token for a subscriber no longer there, or an unsubscribe token, confirms nothing on POST', async () => {
    const { handle, store, id } = await pending();
    for (const token of [
      createToken(SIGNING, 'unsubscribe', id),
      createToken(SIGNING, 'confirm', 'gone', START + 1e6),
    ]) {
      expect((await handle(request('POST', `/confirm?token=${token}`))).status).toBe(400);
    }
    expect((await store.getSubscriber(id))?.status).toBe('pending');
  });

  it('activates on POST and thanks; confirming twice is harmless, and says it was done already', async () => {
    const { handle, store, target, id } = await pending();
    const res = await handle(confirmPost(target));
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/You are subscribed/);
    const after = await store.getSubscriber(id);
    expect(after?.status).toBe('active');
    const twice = await handle(confirmPost(target));
    expect(twice.status).toBe(200);
    expect(twice.body).toMatch(/You are already subscribed/);
    expect(await store.getSubscriber(id)).toEqual(after);
    expect((await handle(request('GET', target))).body).toMatch(/You are already subscribed/);
  });

  it('refuses an expired link with a page saying to sign up again, changing nothing', async () => {
    const { handle, store, target, id, clock } = await pending();
    clock.now += 7 * DAY + 1000;
    const res = await handle(confirmPost(target));
    expect(res.status).toBe(410);
    expect((await handle(request('GET', target))).status).toBe(410);
    expect(res.body).toMatch(/expired[\s\S]*Sign up again/);
    expect((await store.getSubscriber(id))?.status).toBe('pending');
  });

  it.each([
    ['forged (MAC changed)', (t: string, _id: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['for another subscriber', (t: string, _id: string) => t.replace(/^[^.]+/, 'AAAAAAAAAAAAAAAA')],
    ['of the wrong purpose', (_t: string, id: string) => createToken(SIGNING, 'unsubscribe', id)],
    ['signed with another key', (_t: string, id: string) => createToken('x'.repeat(40), 'confirm', id, START + DAY)],
    ['garbage', () => '../../etc/passwd'],
    ['missing', () => ''],
  ])('refuses a token %s with 400, changing nothing', async (_what, make) => {
    const { handle, store, target, id } = await pending();
    const token = make(tokenOf(target), id);
    const res = await handle(confirmPost(`/confirm?token=${encodeURIComponent(token)}`));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/This link does not work/);
    expect((await handle(request('GET', `/confirm?token=${encodeURIComponent(token)}`))).status).toBe(400);
    expect((await store.getSubscriber(id))?.status).toBe('pending');
  });

  it('keeps links made with a key that was rotated out of first place working, and refuses them once it is retired', async () => {
    const OLD = 'o'.repeat(40);
    const NEW = 'n'.repeat(40);
    const before = harness({ secret: OLD });
    await before.handle(subscribeForm('k@example.com'));
    const target = await confirmTarget(before.mailer.accepted[0]?.raw ?? Buffer.alloc(0));
    const retired = harness({ secret: NEW, store: before.store });
    expect((await retired.handle(confirmPost(target))).status).toBe(400);
    const rotated = harness({ secret: `${NEW} ${OLD}`, store: before.store });
    expect((await rotated.handle(confirmPost(target))).status).toBe(200);
    expect((await before.store.findSubscriber('k@example.com'))?.status).toBe('active');
    // And new links are signed with the new key.
    await rotated.handle(subscribeForm('l@example.com'));
    const fresh = tokenOf(await confirmTarget(rotated.mailer.accepted[0]?.raw ?? Buffer.alloc(0)));
    expect(checkToken(NEW, 'confirm', fresh, START).valid).toBe(true);
  });

  it('lets a later unsubscribe or bounce win over an older confirm link; a fresh link works', async () => {
    const { handle, store, target, id, clock, mailer } = await pending();
    await handle(confirmPost(target));
    clock.now += 60_000;
    await store.setSubscriberStatus(id, 'unsubscribed', new Date(clock.now).toISOString());
    clock.now += 60_000;
    const old = await handle(confirmPost(target));
    expect(old.status).toBe(409);
    expect((await store.getSubscriber(id))?.status).toBe('unsubscribed');
    clock.now += DAY;
    await handle(subscribeForm('c@example.com'));
    const fresh = await confirmTarget(mailer.accepted[1]?.raw ?? Buffer.alloc(0));
    expect((await handle(confirmPost(fresh))).status).toBe(200);
    expect((await store.getSubscriber(id))?.status).toBe('active');
  });
});

describe('/unsubscribe', () => {
  async function active(status: SubscriberStatus = 'active') {
    const h = harness();
    const s = await subscriberIn(h.store, 'leave@example.com', status);
    const token = createToken(SIGNING, 'unsubscribe', s.id);
    return { ...h, s, target: `/unsubscribe?token=${encodeURIComponent(token)}` };
  }

  it('GET shows one button and unsubscribes nobody (mail scanners follow links)', async () => {
    const { handle, store, s, target } = await active();
    const res = await handle(request('GET', target));
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/Stop sending Links I Found to leave@example\.com\?/);
    expect(res.body).toMatch(/<form method="post" action="unsubscribe\?token=[^"]+">/);
    expect(res.body).toMatch(/<button type="submit">Unsubscribe<\/button>/);
    expect((await store.getSubscriber(s.id))?.status).toBe('active');
  });

  it('a one-click POST exactly as Gmail sends it unsubscribes at once, answers 200, and again harmlessly', async () => {
    const { handle, store, s, target } = await active();
    const oneClick = () =>
      request('POST', target, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '26' },
        body: 'List-Unsubscribe=One-Click',
      });
    const res = await handle(oneClick());
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/You are unsubscribed/);
    expect((await store.getSubscriber(s.id))?.status).toBe('unsubscribed');
    expect((await handle(oneClick())).status).toBe(200);
    expect((await store.getSubscriber(s.id))?.status).toBe('unsubscribed');
    expect((await store.listSubscribers({ status: 'active', limit: 10 })).items).toHaveLength(0);
  });

  it('takes the one-click body as multipart/form-data too (RFC 8058 prefers it)', async () => {
    const { handle, store, s, target } = await active();
    const body = '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n';
    const res = await handle(
      request('POST', target, { headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, body }),
    );
    expect(res.status).toBe(200);
    expect((await store.getSubscriber(s.id))?.status).toBe('unsubscribed');
  });

  it('honours links in mail sent before tokens had key ids', async () => {
    const { handle, store, s } = await active();
    const mac = createHmac('sha256', SIGNING).update(`unsubscribe\n${s.id}\n0`).digest().subarray(0, 16);
    const legacy = `${s.id}.0.${mac.toString('base64url')}`;
    const res = await handle(
      request('POST', `/unsubscribe?token=${legacy}`, { headers: FORM, body: 'List-Unsubscribe=One-Click' }),
    );
    expect(res.status).toBe(200);
    expect((await store.getSubscriber(s.id))?.status).toBe('unsubscribed');
  });

  it('refuses a confirm token, a forged token and none, changing nothing', async () => {
    const { handle, store, s } = await active();
    for (const token of [
      createToken(SIGNING, 'confirm', s.id, START + DAY),
      `${s.id}.0.abcdef.AAAAAAAAAAAAAAAAAAAAAA`,
      '',
    ]) {
      const post = await handle(
        request('POST', `/unsubscribe?token=${encodeURIComponent(token)}`, {
          headers: FORM,
          body: 'List-Unsubscribe=One-Click',
        }),
      );
      expect(post.status).toBe(400);
      expect(post.body).toMatch(/This link does not work/);
      expect((await handle(request('GET', `/unsubscribe?token=${encodeURIComponent(token)}`))).status).toBe(400);
    }
    expect((await store.getSubscriber(s.id))?.status).toBe('active');
  });

  it('leaves a suppressed address suppressed, and says it gets nothing', async () => {
    const { handle, store, s, target } = await active('complained');
    expect((await handle(request('GET', target))).body).toMatch(/You are not subscribed/);
    expect((await handle(request('POST', target, { headers: FORM, body: 'List-Unsubscribe=One-Click' }))).status).toBe(
      200,
    );
    expect((await store.getSubscriber(s.id))?.status).toBe('complained');
  });
});

describe('sign-up memos expire', () => {
  it('gives the per-IP and per-address memos an expiry past their windows, so DynamoDB TTL can clear them', async () => {
    const { handle, store, clock } = harness();
    const expiries = new Map<string, number | undefined>();
    const put = store.putMemo.bind(store);
    store.putMemo = async (key: string, value: string, expiresAt?: number) => {
      expiries.set(key, expiresAt);
      return put(key, value);
    };
    expect((await handle(subscribeForm('ttl@example.com'))).status).toBe(200);
    const nowSeconds = Math.floor(clock.now / 1000);
    const signup = [...expiries].filter(([key]) => key.startsWith('signup:'));
    expect(signup.length).toBe(2);
    for (const [key, at] of signup) {
      expect(at).toBeDefined();
      // The IP's hour and the address's day must still be counted before they expire: never sooner.
      const windowSeconds = key.startsWith('signup:ip:') ? 3600 : 86_400;
      expect(at as number).toBeGreaterThanOrEqual(nowSeconds + windowSeconds);
      expect(at as number).toBeLessThanOrEqual(nowSeconds + 3 * 86_400);
    }
  });
});
