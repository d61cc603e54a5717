/**
 * A Pinboard-API-compatible server for tests, on 127.0.0.1 with port 0. It enforces what pinboard.in/api
 * documents: auth_token required (401), XML unless format=json, one call per user every 3 s (every
 * request counts, 429s included) and posts/all once every 5 minutes (429 otherwise; a posts/all that
 * failed served nothing and does not count). Faults can be injected per method.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamBody } from './body-server';

export interface RawPost {
  href: string;
  description: string;
  extended: string;
  time: string;
  shared: 'yes' | 'no';
  toread: 'yes' | 'no';
  tags: string;
  hash?: string;
  meta?: string;
}

/** `endless`: a JSON body that never ends; `oversized`: 300 MB, declared in Content-Length and streamed. */
export type Fault = 'status500' | 'status429' | 'html' | 'truncated' | 'hang' | 'endless' | 'oversized';

const OVERSIZED_BYTES = 300_000_000;

export interface PinboardServerOptions {
  token: string;
  posts: RawPost[];
  minIntervalMs?: number;
  allIntervalMs?: number;
}

export interface CallRecord {
  method: string;
  at: number;
  status: number;
  params: Record<string, string>;
}

export interface PinboardServer {
  url: string;
  calls: CallRecord[];
  posts: RawPost[];
  /** The next `times` calls of `method` fail with `fault`. */
  inject(method: string, fault: Fault, times?: number): void;
  /** Forget rate-limit history (as if time passed). */
  resetLimits(): void;
  stop(): Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export async function startPinboardServer(options: PinboardServerOptions): Promise<PinboardServer> {
  const minInterval = options.minIntervalMs ?? 3000;
  const allInterval = options.allIntervalMs ?? 300_000;
  const calls: CallRecord[] = [];
  const faults = new Map<string, { fault: Fault; times: number }>();
  let lastCall = Number.NEGATIVE_INFINITY;
  let lastAll = Number.NEGATIVE_INFINITY;
  const hanging = new Set<http.ServerResponse>();
  const state = { posts: options.posts };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = url.pathname.replace(/^\/v1\//, '');
    const params = Object.fromEntries(url.searchParams);
    const now = Date.now();
    const record = (status: number) => calls.push({ method, at: now, status, params: { ...params, auth_token: '…' } });
    const send = (status: number, type: string, body: string) => {
      record(status);
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };

    if (params.auth_token !== options.token) return send(401, 'text/plain', '401 Forbidden');
    const tooSoon = now - lastCall < minInterval;
    lastCall = now;
    if (tooSoon) return send(429, 'text/plain', 'Too Many Requests');
    // The 5-minute limit guards the full download: a call counts against it once it is served (below).
    if (method === 'posts/all' && now - lastAll < allInterval) return send(429, 'text/plain', 'Too Many Requests');

    const fault = faults.get(method);
    if (fault && fault.times > 0) {
      fault.times--;
      switch (fault.fault) {
        case 'status500':
          return send(500, 'text/html', '<html><body>Internal Server Error</body></html>');
        case 'status429':
          return send(429, 'text/plain', 'Too Many Requests');
        case 'html':
          return send(
            200,
            'text/html; charset=utf-8',
            '<!DOCTYPE html><html><body>Pinboard is down for maintenance</body></html>',
          );
        case 'truncated':
          return send(200, 'application/json', '[{"href":"https:\\/\\/example.com\\/","descrip');
        case 'hang':
          record(0);
          hanging.add(res);
          return;
        case 'endless':
        case 'oversized': {
          record(200);
          const size = fault.fault === 'oversized' ? OVERSIZED_BYTES : Number.POSITIVE_INFINITY;
          res.writeHead(200, {
            'content-type': 'application/json',
            ...(fault.fault === 'oversized' ? { 'content-length': String(size) } : {}),
          });
          res.write('[');
          void streamBody(
            res,
            Buffer.from('{"href":"https:\\/\\/example.com\\/","description":"x"},'.repeat(500)),
            size - 1,
          );
          return;
        }
      }
    }

    const json = params.format === 'json';
    const posts = state.posts;
    if (method === 'posts/update') {
      const newest = posts.reduce((m, p) => (p.time > m ? p.time : m), '2000-01-01T00:00:00Z');
      return json
        ? send(200, 'application/json', JSON.stringify({ update_time: newest }))
        : send(200, 'text/xml', `<?xml version="1.0" encoding="UTF-8" ?><update time="${newest}" />`);
    }
    if (method === 'posts/all') {
      lastAll = now;
      const from = params.fromdt ? Date.parse(params.fromdt) : Number.NEGATIVE_INFINITY;
      const to = params.todt ? Date.parse(params.todt) : Number.POSITIVE_INFINITY;
      const selected = posts
        .filter((p) => Date.parse(p.time) >= from && Date.parse(p.time) <= to)
        .sort((a, b) => b.time.localeCompare(a.time));
      return json
        ? send(200, 'application/json', JSON.stringify(selected))
        : send(
            200,
            'text/xml',
            `<?xml version="1.0" encoding="UTF-8" ?><posts user="u">${selected
              .map((p) => `<post href="${xml(p.href)}" description="${xml(p.description)}" time="${p.time}" />`)
              .join('')}</posts>`,
          );
    }
    return send(404, 'text/plain', 'unknown method');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    get posts() {
      return state.posts;
    },
    set posts(p: RawPost[]) {
      state.posts = p;
    },
    inject(method, fault, times = 1) {
      faults.set(method, { fault, times });
    },
    resetLimits() {
      lastCall = Number.NEGATIVE_INFINITY;
      lastAll = Number.NEGATIVE_INFINITY;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
