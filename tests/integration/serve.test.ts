/**
 * `pinboard-digest serve` as a reader's mail provider and browser meet it: real processes, real HTTP on
 * 127.0.0.1, the outbox and the file store shared with `send`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { MAX_BODY_BYTES } from '../../lambda/http/types';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type Served, send, servedProject, startServe } from '../helpers/serve';

const statuses = async (cwd: string) =>
  Object.fromEntries(
    (
      JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd })).stdout) as {
        email: string;
        status: string;
      }[]
    ).map((s) => [s.email, s.status]),
  );

const issueFiles = (cwd: string, issue: number) =>
  readdirSync(path.join(cwd, 'outbox')).filter((f) => f.startsWith(`issue-${String(issue).padStart(4, '0')}-`));

describe('serve, with siteUrl pointing at it', () => {
  let cwd: string;
  let served: Served;

  beforeAll(async () => {
    let port: number;
    ({ cwd, served, port } = await servedProject({
      subscribers: ['gmail@example.com,G', 'stays@example.com,S'],
      host: 'localhost',
    }));
    expect(served.url).toBe(`http://127.0.0.1:${port}`);
  }, 60_000);

  afterAll(async () => {
    expect(await served?.stop()).toBe(0);
  });

  it('unsubscribes on a one-click POST exactly as Gmail sends it, never on the GET a scanner makes; the next issue skips the address', async () => {
    const file = issueFiles(cwd, 1).find((f) => f.includes('gmail@')) ?? '';
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file)));
    const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const url = /<(http:\/\/localhost:\d+\/unsubscribe\?token=[^>]+)>/.exec(header)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );

    // A link scanner (or a person) opens the link: a page with a button, and nothing changes.
    const scanned = await send(url, { headers: { 'User-Agent': 'Mozilla/5.0 (link scanner)' } });
    expect(scanned.status).toBe(200);
    expect(scanned.body).toMatch(/<button type="submit">Unsubscribe<\/button>/);
    expect((await statuses(cwd))['gmail@example.com']).toBe('active');

    // RFC 8058 one-click as Gmail sends it: POST, form-urlencoded, this exact body, no cookies.
    const body = 'List-Unsubscribe=One-Click';
    const oneClick = await send(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) },
      body,
    });
    expect(oneClick.status).toBe(200);
    expect(oneClick.headers['set-cookie']).toBeUndefined();
    expect(await statuses(cwd)).toEqual({ 'gmail@example.com': 'unsubscribed', 'stays@example.com': 'active' });
    expect(served.stderr()).toMatch(/POST \/unsubscribe 200/);
    expect(served.stderr()).not.toMatch(/token=/); // the log never holds a token

    writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify([rawPost(2, 1), rawPost(1, 2)]));
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    expect(issueFiles(cwd, 2)).toEqual([expect.stringContaining('stays@example.com')]);
  });

  it('sends confirmation links to the loopback siteUrl it was given', async () => {
    const res = await send(`${served.url}/subscribe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'new@example.com' }),
    });
    expect(res.status).toBe(202);
    const [file] = issueFiles(cwd, 0);
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file ?? '')));
    const link = /http:\/\/localhost:\d+\/confirm\?token=\S+/.exec(mail.text ?? '')?.[0] ?? '';
    expect(link.startsWith(`http://localhost:${new URL(served.url).port}/confirm?token=`)).toBe(true);
    expect((await send(link)).status).toBe(200);
    expect((await statuses(cwd))['new@example.com']).toBe('pending'); // opening the link changes nothing
    expect((await send(link, { method: 'POST' })).status).toBe(200);
    expect((await statuses(cwd))['new@example.com']).toBe('active');
  });

  it('answers an oversized body 413 without keeping it, declared or streamed', async () => {
    const declared = await send(`${served.url}/subscribe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `email=a%40example.com&pad=${'x'.repeat(MAX_BODY_BYTES + 1024)}`,
    });
    expect(declared.status).toBe(413);
    // Chunked, no length: it stops keeping it at MAX_BODY_BYTES and answers while the client is still sending.
    const streamed = await new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = httpRequest(`${served.url}/subscribe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(4096, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(streamed.status).toBe(413);
    expect((await statuses(cwd))['a@example.com']).toBeUndefined();
  });
});

describe('serve with a siteUrl elsewhere', () => {
  it('points the links it mails at itself, and says so', async () => {
    const cwd = makeProject({ posts: [], subscribers: [] });
    const served = await startServe(cwd, ['--port', '0']);
    try {
      expect(served.stdout()).toMatch(
        /siteUrl is https:\/\/links\.example\.com: links in the mail sent from here point at http:\/\/127\.0\.0\.1:\d+ instead/,
      );
      const res = await send(`${served.url}/subscribe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'email=elsewhere%40example.com',
      });
      expect(res.status).toBe(200);
      const [file] = issueFiles(cwd, 0);
      const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', file ?? '')));
      expect(mail.text).toContain(`${served.url}/confirm?token=`);
    } finally {
      await served.stop();
    }
  });

  it('refuses a plain-http siteUrl that is not this machine', async () => {
    const cwd = makeProject({ posts: [], subscribers: [], config: { siteUrl: 'http://links.example.com' } });
    const result = await runCli(['serve', '--port', '0'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/siteUrl: must be https \(plain http only for http:\/\/127\.0\.0\.1:PORT/);
  });
});
