/**
 * `serve` on a laptop also serves the archive `send` wrote (out/site/), so the "View in your browser" link of
 * a local issue opens: GET or HEAD of /issues/… and /site.css, read from that folder. Only files inside it,
 * only the archive's kinds of file, nothing listed; everything else is the subscription handler's. Every
 * answer carries the archive's security headers (the set CloudFront adds on AWS), and none names a folder:
 * a path that does not decode, or decodes to a NUL or another control character, is simply not there (404).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_TYPES, SITE_PATHS } from '../core/site';
import { SECURITY_HEADERS } from './security-headers';
import type { HttpRequest, HttpResponse } from './types';

/** The type the S3 adapter writes each archive file with (core/site.ts), by its path in the folder. */
function contentType(relative: string): string | undefined {
  if (relative === SITE_PATHS.atom) return CONTENT_TYPES.atom;
  if (relative === SITE_PATHS.rss) return CONTENT_TYPES.rss;
  if (relative === SITE_PATHS.json) return CONTENT_TYPES.json;
  if (relative.endsWith('.html')) return CONTENT_TYPES.html;
  if (relative.endsWith('.css')) return CONTENT_TYPES.css;
  return undefined;
}

const isArchivePath = (p: string) => p === '/site.css' || p === '/issues' || p.startsWith('/issues/');

/** The archive's part of a path as received (still encoded): `/issues/%00` is the archive's, and missing. */
const isArchiveTarget = (p: string) => isArchivePath(p) || /^\/(?:issues|site\.css)(?:\/|%|$)/i.test(p);

const answer = (status: number, headers: Record<string, string>, body = ''): HttpResponse => ({
  status,
  headers: { ...SECURITY_HEADERS, ...headers },
  body,
});

/** A response for an archive path, or `undefined` when the path is not the archive's (the caller goes on). */
export function staticSite(dir: string): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  const root = path.resolve(dir);
  const notFound = (request: HttpRequest): HttpResponse =>
    answer(
      404,
      { 'Content-Type': 'text/plain; charset=utf-8' },
      request.method === 'HEAD'
        ? ''
        : 'Not in the archive. Issues appear here once `pinboard-digest send` has sent them.',
    );
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(request.path);
    } catch {
      return isArchiveTarget(request.path) ? notFound(request) : undefined;
    }
    // No file name holds a control character (and a NUL makes the file system calls throw).
    if (/\p{Cc}/u.test(decoded)) return isArchiveTarget(request.path) ? notFound(request) : undefined;
    if (!isArchivePath(decoded)) return undefined;
    if (decoded === '/issues') return answer(301, { Location: '/issues/' });
    let file = path.resolve(root, `.${decoded}`);
    // Inside the folder only: `..` and encoded tricks resolve outside it and are refused.
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return notFound(request);
    try {
      if ((await stat(file)).isDirectory()) {
        if (!decoded.endsWith('/')) return answer(301, { Location: `${request.path}/` });
        file = path.join(file, 'index.html');
      }
      const type = contentType(path.relative(root, file).split(path.sep).join('/'));
      if (!type) return notFound(request);
      const body = await readFile(file, 'utf8');
      return answer(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }, request.method === 'HEAD' ? '' : body);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Missing, or a name the file system will not take (too long, a part of it a file): not in the archive.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'EISDIR') {
        return notFound(request);
      }
      throw error;
    }
  };
}
