/**
 * `serve` on a laptop also serves the archive `send` wrote (out/site/), so the "View in your browser" link of
 * a local issue opens: GET or HEAD of /issues/… and /site.css, read from that folder. Only files inside it,
 * only the archive's kinds of file, nothing listed; everything else is the subscription handler's.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_TYPES, SITE_PATHS } from '../core/site';
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

/** A response for an archive path, or `undefined` when the path is not the archive's (the caller goes on). */
export function staticSite(dir: string): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  const root = path.resolve(dir);
  const notFound = (): HttpResponse => ({
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: `Not in the archive. Issues appear in ${dir} once \`pinboard-digest send\` has sent them.`,
  });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(request.path);
    } catch {
      return undefined;
    }
    if (!isArchivePath(decoded)) return undefined;
    if (decoded === '/issues') {
      return { status: 301, headers: { Location: '/issues/' }, body: '' };
    }
    let file = path.resolve(root, `.${decoded}`);
    // Inside the folder only: `..` and encoded tricks resolve outside it and are refused.
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return notFound();
    try {
      if ((await stat(file)).isDirectory()) {
        if (!decoded.endsWith('/')) return { status: 301, headers: { Location: `${request.path}/` }, body: '' };
        file = path.join(file, 'index.html');
      }
      const type = contentType(path.relative(root, file).split(path.sep).join('/'));
      if (!type) return notFound();
      const body = await readFile(file, 'utf8');
      return {
        status: 200,
        headers: { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' },
        body: request.method === 'HEAD' ? '' : body,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return notFound();
      }
      throw error;
    }
  };
}
