import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTENT_TYPES } from '../../../lambda/core/site';
import { SECURITY_HEADERS } from '../../../lambda/http/security-headers';
import { staticSite } from '../../../lambda/http/static-site';
import type { HttpRequest } from '../../../lambda/http/types';

const get = (p: string, method = 'GET'): HttpRequest => ({
  method,
  path: p,
  query: '',
  headers: {},
  body: Buffer.alloc(0),
  bodyTooLarge: false,
});

describe('serve: the local archive', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'pd-static-'));
  const dir = path.join(base, 'site');
  mkdirSync(path.join(dir, 'issues', '3'), { recursive: true });
  writeFileSync(path.join(dir, 'issues', '3', 'index.html'), '<h1>Issue 3</h1>');
  writeFileSync(path.join(dir, 'issues', 'index.html'), '<h1>All issues</h1>');
  writeFileSync(path.join(dir, 'issues', 'atom.xml'), '<feed/>');
  writeFileSync(path.join(dir, 'site.css'), 'body{}');
  writeFileSync(path.join(base, 'secret.html'), 'not for the web');
  writeFileSync(path.join(dir, 'issues', 'notes.txt'), 'not an archive file');
  const serve = staticSite(dir);

  it('serves issue pages, the index, feeds and the stylesheet with their types', async () => {
    expect(await serve(get('/issues/3/'))).toMatchObject({
      status: 200,
      body: '<h1>Issue 3</h1>',
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    });
    expect((await serve(get('/issues/')))?.body).toBe('<h1>All issues</h1>');
    expect((await serve(get('/issues/atom.xml')))?.headers['Content-Type']).toBe(CONTENT_TYPES.atom);
    expect((await serve(get('/site.css')))?.headers['Content-Type']).toMatch(/^text\/css/);
    expect(await serve(get('/issues/3/', 'HEAD'))).toMatchObject({ status: 200, body: '' });
  });

  it('sends a folder without its slash to the folder, and says plainly what is missing', async () => {
    expect(await serve(get('/issues/3'))).toMatchObject({ status: 301, headers: { Location: '/issues/3/' } });
    expect(await serve(get('/issues'))).toMatchObject({ status: 301, headers: { Location: '/issues/' } });
    const missing = await serve(get('/issues/9/'));
    expect(missing?.status).toBe(404);
    expect(missing?.body).toMatch(/once `pinboard-digest send` has sent them/);
  });

  it('never reads outside the folder or other kinds of file, and leaves every other path to the API', async () => {
    for (const p of [
      '/issues/../../secret.html',
      '/issues/%2e%2e/%2e%2e/secret.html',
      '/issues/..%2f..%2fsecret.html',
    ]) {
      const response = await serve(get(p));
      expect(response?.status).toBe(404);
      expect(response?.body).not.toContain('not for the web');
    }
    expect((await serve(get('/issues/notes.txt')))?.status).toBe(404);
    for (const p of ['/', '/subscribe', '/unsubscribe', '/confirm', '/secret.html']) {
      expect(await serve(get(p))).toBeUndefined();
    }
    expect(await serve(get('/issues/3/', 'POST'))).toBeUndefined();
  });

  it('answers a NUL, another control character or a path that does not decode with 404, never 500 or a folder', async () => {
    for (const p of [
      '/issues/%00',
      '/issues/%00/index.html',
      '/issues/3/%0a',
      '/issues/%E0%A4%A',
      '/issues/%ZZ',
      '/site.css%00',
    ]) {
      const response = await serve(get(p));
      expect(response?.status).toBe(404);
      expect(response?.body).not.toContain(base);
      expect(response?.body).not.toMatch(/\/tmp|pd-static/);
    }
    expect((await serve(get(`/issues/${'x'.repeat(300)}/`)))?.status).toBe(404);
  });

  it('sends the archive security headers on every answer: pages, feeds, the stylesheet, redirects and 404s', async () => {
    for (const [p, method] of [
      ['/issues/3/', 'GET'],
      ['/issues/3/', 'HEAD'],
      ['/issues/', 'GET'],
      ['/issues/atom.xml', 'GET'],
      ['/site.css', 'GET'],
      ['/issues/3', 'GET'],
      ['/issues', 'GET'],
      ['/issues/9/', 'GET'],
      ['/issues/%00', 'GET'],
    ] as const) {
      const response = await serve(get(p, method));
      expect(response?.headers).toMatchObject(SECURITY_HEADERS);
    }
    expect(SECURITY_HEADERS['Content-Security-Policy']).toMatch(/frame-ancestors 'none'/);
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
  });
});
