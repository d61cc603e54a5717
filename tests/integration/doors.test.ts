/// <reference lib="dom" />
/**
 * Issue 18, "every door holds", against the real `serve` (the outbox and the file store shared with `send`):
 * a link scanner's GET and HEAD of a confirm link, a cross-site sign-up from a real Chromium page on another
 * origin, a 254-octet address from sign-up to unsubscribe, both spellings of an international address,
 * undecodable paths, the archive's security headers, the honeypot, token spellings and multipart sign-ups.
 * The API Gateway host gets the same assertions in subscription-api.test.ts.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { normalizeEmail } from '../../lambda/core/email';
import { SECURITY_HEADERS } from '../../lambda/http/security-headers';
import { launchChromium } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { type Served, send, servedProject } from '../helpers/serve';

jest.setTimeout(120_000);

let cwd: string;
let served: Served;

beforeAll(async () => {
  ({ cwd, served } = await servedProject({ subscribers: ['seed@example.com,S'] }));
}, 60_000);

afterAll(async () => {
  expect(await served?.stop()).toBe(0);
});

const list = async () =>
  JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd })).stdout) as { email: string; status: string }[];
const statusOf = async (email: string) => (await list()).find((s) => s.email === email)?.status;
const outbox = () => readdirSync(path.join(cwd, 'outbox'));
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

const signUp = (email: string, headers: Record<string, string> = {}, extra = '') =>
  send(`${served.url}/subscribe`, {
    method: 'POST',
    headers: { ...form, ...headers },
    body: `email=${encodeURIComponent(email)}${extra}`,
  });

/** The confirm link in the newest confirmation to `to` (the outbox's file for it, whatever its name). */
async function confirmLink(to: string): Promise<string> {
  const files = outbox().filter((f) => f.startsWith('issue-0000-'));
  for (const file of files) {
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file)));
    // (mailparser shows an international domain in Unicode.)
    const recipient = normalizeEmail((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address ?? '');
    if (recipient?.toLowerCase() === normalizeEmail(to)?.toLowerCase()) {
      return /http:\/\/127\.0\.0\.1:\d+\/confirm\?token=\S+/.exec(mail.text ?? '')?.[0] ?? '';
    }
  }
  throw new Error(`no confirmation to ${to} in ${files.join(', ')}`);
}

describe('the confirm link', () => {
  it('a scanner’s GET and HEAD change nothing; the page’s one button confirms; a second press says it was done', async () => {
    expect((await signUp('scanned@example.com')).status).toBe(200);
    const link = await confirmLink('scanned@example.com');
    const head = await send(link, { method: 'HEAD', headers: { 'User-Agent': 'curl/8.5.0' } });
    expect(head.status).toBe(200);
    const get = await send(link, { headers: { 'User-Agent': 'Mozilla/5.0 (link scanner)' } });
    expect(get.status).toBe(200);
    expect(get.body.match(/<button/g)).toHaveLength(1);
    expect(get.body).toMatch(/<form method="post" action="confirm\?token=[^"]+">/);
    expect(await statusOf('scanned@example.com')).toBe('pending');

    const pressed = await send(link, { method: 'POST', headers: form, body: '' });
    expect(pressed.status).toBe(200);
    expect(pressed.body).toMatch(/You are subscribed/);
    expect(await statusOf('scanned@example.com')).toBe('active');
    const again = await send(link, { method: 'POST', headers: { Accept: 'application/json' } });
    expect(JSON.parse(again.body)).toMatchObject({ status: 'already-confirmed' });
  });

  it('verifies its token in one spelling only: every other last character is refused and confirms nothing', async () => {
    expect((await signUp('spelled@example.com')).status).toBe(200);
    const link = await confirmLink('spelled@example.com');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const answers: number[] = [];
    for (const c of alphabet) {
      const other = `${link.slice(0, -1)}${c}`;
      if (other !== link) answers.push((await send(other, { method: 'POST' })).status);
    }
    expect(new Set(answers)).toEqual(new Set([400]));
    expect(await statusOf('spelled@example.com')).toBe('pending');
    expect((await send(link, { method: 'POST' })).status).toBe(200);
  });
});

describe('a sign-up from a page of another site', () => {
  let browser: Browser;
  let hostile: Server;
  let hostileUrl: string;

  beforeAll(async () => {
    // Another origin and another site: a different loopback address, as a page elsewhere on the web would be.
    hostile = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Win a prize</title>
<form method="post" action="${served.url}/subscribe"><input name="email" value="colleague@example.com">
<button type="submit">Claim</button></form>`);
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.2', resolve));
    hostileUrl = `http://127.0.0.2:${(hostile.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => hostile?.close(resolve));
  });

  it('is refused with 403 when a real Chromium submits it: nothing stored, nothing mailed', async () => {
    const before = outbox().length;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(hostileUrl);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${served.url}/subscribe`),
        page.getByRole('button', { name: 'Claim' }).click(),
      ]);
      const sent = await answer.request().allHeaders();
      expect(sent.origin).toBe(hostileUrl.replace(/\/$/, ''));
      expect(sent['sec-fetch-site']).toBe('cross-site');
      expect(answer.status()).toBe(403);
      await page.waitForSelector('h1:text("Sign up on this site")');
    } finally {
      await context.close();
    }
    expect(await statusOf('colleague@example.com')).toBeUndefined();
    expect(outbox()).toHaveLength(before);
    // The same browser on the site's own page signs up as ever.
    const own = await browser.newContext();
    try {
      const page = await own.newPage();
      await page.goto(`${served.url}/`);
      await page.getByLabel('Your email address').fill('own-page@example.com');
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.waitForSelector('h1:text("Check your inbox")');
    } finally {
      await own.close();
    }
    expect(await statusOf('own-page@example.com')).toBe('pending');
  });

  it('is refused by its headers alone, as a script would send them', async () => {
    const res = await signUp('scripted@example.com', {
      Origin: 'https://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(res.status).toBe(403);
    expect(await statusOf('scripted@example.com')).toBeUndefined();
  });
});

describe('addresses', () => {
  it('takes a 254-octet address from sign-up to unsubscribe, and the log never prints it whole', async () => {
    const local = `long.${'x'.repeat(254 - '@example.com'.length - 5)}`;
    const email = `${local}@example.com`;
    expect(Buffer.byteLength(email)).toBe(254);
    const res = await signUp(email);
    expect(res.status).toBe(200);
    const link = await confirmLink(email);
    expect((await send(link, { method: 'POST' })).status).toBe(200);
    expect(await statusOf(email)).toBe('active');

    writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify([rawPost(2, 1), rawPost(1, 2)]));
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    const issueFiles = outbox().filter((f) => /^issue-\d{4}-long\.x+/.test(f) && !f.startsWith('issue-0000-'));
    expect(issueFiles).toHaveLength(1);
    expect(Buffer.byteLength(issueFiles[0] ?? '')).toBeLessThan(255);
    const issue = await simpleParser(readFileSync(path.join(cwd, 'outbox', issueFiles[0] ?? '')));
    const unsubscribe = /http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=\S+/.exec(issue.text ?? '')?.[0] ?? '';
    expect(
      (await send(unsubscribe, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' })).status,
    ).toBe(200);
    expect(await statusOf(email)).toBe('unsubscribed');
    expect(served.stderr()).not.toContain(local);
    expect(served.stdout()).not.toContain(local);
  });

  it('stores both spellings of an international address as one subscriber', async () => {
    expect((await signUp('leser@bücher.example')).status).toBe(200);
    const json = await send(`${served.url}/subscribe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'leser@xn--bcher-kva.example' }),
    });
    expect(json.status).toBe(202);
    const both = (await list()).filter((s) => s.email.startsWith('leser@'));
    expect(both).toEqual([{ ...both[0], email: 'leser@xn--bcher-kva.example', status: 'pending' }]);
    const page = await send(await confirmLink('leser@xn--bcher-kva.example'));
    expect(page.body).toContain('leser@bücher.example');
  });

  it('refuses an invisible character with a message that names it, storing nothing', async () => {
    const res = await signUp('zw\u200Bx@example.com');
    expect(res.status).toBe(400);
    expect(res.body).toContain('cannot be seen (U+200B)');
    expect((await list()).map((s) => s.email)).not.toContain('zw\u200Bx@example.com');
    expect(await statusOf('zwx@example.com')).toBeUndefined();
  });

  it('gives the honeypot an answer that echoes nothing of what it was sent', async () => {
    const text = `Call-now-for-a-prize-${'y'.repeat(200)}@example.com`;
    const res = await signUp(text, {}, '&website=https%3A%2F%2Fspam.example');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/Check your inbox/);
    expect(res.body).not.toMatch(/Call-now|prize|yyyy|spam\.example/);
    expect(await statusOf(text)).toBeUndefined();
  });

  it('takes a multipart/form-data sign-up as the form', async () => {
    const body = new FormData();
    body.set('email', 'multipart@example.com');
    body.set('website', '');
    const res = await fetch(`${served.url}/subscribe`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Check your inbox/);
    expect(await statusOf('multipart@example.com')).toBe('pending');
  });
});

describe('the text part', () => {
  it('signs off with the standard signature separator "-- " (dash, dash, space), in issues and confirmations', async () => {
    const texts = await Promise.all(
      ['issue-0001-seed@example.com.eml', outbox().find((f) => f.startsWith('issue-0000-')) ?? ''].map(async (f) =>
        String((await simpleParser(readFileSync(path.join(cwd, 'outbox', f)))).text),
      ),
    );
    for (const text of texts) {
      expect(text).toMatch(/\n-- \n/);
      expect(text).not.toMatch(/\n--\n/);
    }
  });
});

describe('the archive', () => {
  it('answers %00 and undecodable paths with 404, naming no folder', async () => {
    for (const p of ['/issues/%00', '/issues/1/%00', '/issues/%E0%A4%A', '/%00', '/site.css%00', '/confirm%00']) {
      const res = await send(`${served.url}${p}`);
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.body).not.toContain(cwd);
      expect(res.body).not.toMatch(/\/tmp\/|out\/site/);
    }
  });

  it('sends the security headers on every archive response', async () => {
    const files = ['/issues/', '/issues/1/', '/issues/atom.xml', '/issues/rss.xml', '/issues/feed.json', '/site.css'];
    for (const p of [...files, '/issues', '/issues/1', '/issues/999/']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await send(`${served.url}${p}`, { method });
        expect([p, res.status]).not.toEqual([p, 500]);
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
          expect([p, method, name, res.headers[name.toLowerCase()]]).toEqual([p, method, name, value]);
        }
      }
    }
    expect((await send(`${served.url}/issues/1/`)).status).toBe(200);
  });
});
