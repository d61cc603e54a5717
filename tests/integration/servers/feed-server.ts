/**
 * A feed host on 127.0.0.1 (port 0) that behaves like a polite web server: each feed has an ETag and a
 * Last-Modified, a conditional GET that matches gets 304 Not Modified with no body, a feed can redirect or
 * be down. Routes can be changed between requests; every request is recorded with its conditional headers.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedRoute {
  /** The feed; its ETag is a hash of it, so changing it changes the ETag. */
  body?: string;
  type?: string;
  /** When the feed last changed (an HTTP date is derived); default: a fixed time. */
  modified?: Date;
  /** Answer every request with this status instead (503: down, 404: gone). */
  down?: number;
  /** Redirect to this path or URL with this status. */
  redirect?: { status: 301 | 302 | 303 | 307 | 308; to: string };
}

export interface FeedRequest {
  path: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  status: number;
}

export interface FeedServer {
  url: string;
  routes: Record<string, FeedRoute>;
  requests: FeedRequest[];
  /** Requests to one path. */
  requestsTo(path: string): FeedRequest[];
  stop(): Promise<void>;
}

const DEFAULT_MODIFIED = new Date('2026-11-20T00:00:00Z');

export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;

export async function startFeedServer(routes: Record<string, FeedRoute>): Promise<FeedServer> {
  const requests: FeedRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    const answer = (status: number, headers: Record<string, string> = {}, body = '') => {
      requests.push({
        path,
        ...(ifNoneMatch ? { ifNoneMatch } : {}),
        ...(ifModifiedSince ? { ifModifiedSince } : {}),
        status,
      });
      res.writeHead(status, headers);
      res.end(body);
    };
    const route = routes[path];
    if (!route) return answer(404, { 'content-type': 'text/plain' }, 'no such feed');
    if (route.down) return answer(route.down, { 'content-type': 'text/plain' }, 'unavailable');
    if (route.redirect) return answer(route.redirect.status, { location: route.redirect.to }, 'moved');
    const body = route.body ?? '';
    const etag = etagOf(body);
    const lastModified = (route.modified ?? DEFAULT_MODIFIED).toUTCString();
    const validators = { etag, 'last-modified': lastModified };
    // RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
    const notModified =
      ifNoneMatch !== undefined
        ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag)
        : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Date.parse(lastModified);
    if (notModified) return answer(304, validators);
    answer(200, { 'content-type': route.type ?? 'application/rss+xml', ...validators }, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An RSS 2.0 feed of `items`, newest first as feeds are. */
export const rssFeed = (title: string, items: { url: string; title: string; date: Date; tags?: string[] }[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${title}</title><link>https://example.com/</link>
${[...items]
  .sort((a, b) => b.date.getTime() - a.date.getTime())
  .map(
    (i) =>
      `<item><title>${i.title}</title><link>${i.url}</link><pubDate>${i.date.toUTCString()}</pubDate>${(i.tags ?? [])
        .map((t) => `<category>${t}</category>`)
        .join('')}</item>`,
  )
  .join('\n')}
</channel></rss>`;
