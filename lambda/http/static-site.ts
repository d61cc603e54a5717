/**
 * `serve` on a laptop also serves the archive `send` wrote (out/site/), so the "View in your browser" link of
 * a local issue opens: GET or HEAD of /issues/… and /site.css, read from that folder. Only files inside it,
 * only the archive's kinds of file, nothing listed; everything else is the subscription handler's.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HttpRequest, HttpResponse } from './types';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/feed+json; charset=utf-8',
};

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
      const type = TYPES[path.extname(file)];
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
