/**
 * Hostile answers for bounded-read tests, on 127.0.0.1 (port 0): a body that never ends, one that declares
 * and streams 300 MB, one that drips a byte at a time, a gzip bomb. Each records how many bytes it wrote
 * before the client hung up, so a test can show the client stopped reading.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** Writes `chunk` until `total` bytes are out (forever without one), honouring back-pressure; resolves with the bytes written. */
export function streamBody(res: http.ServerResponse, chunk: Buffer = CHUNK, total = Number.POSITIVE_INFINITY) {
  return new Promise<number>((resolve) => {
    let sent = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve(sent);
    });
    const pump = () => {
      while (!closed && sent < total) {
        const piece = total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
        sent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}

export interface BodyRoute {
  status?: number;
  headers?: Record<string, string>;
  /** A fixed body. */
  body?: string | Buffer;
  /** Stream this many bytes (Infinity: never end). */
  stream?: number;
  /** Write one byte every this many ms, forever. */
  dripMs?: number;
}

export interface BodyServer {
  url: string;
  /** Bytes written per finished request, by path, in order. */
  sent: Map<string, number[]>;
  /** Requests received, by path. */
  hits: Map<string, number>;
  /** Resolves when the request to `path` has closed, with the bytes written. */
  closed(path: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startBodyServer(routes: Record<string, BodyRoute>): Promise<BodyServer> {
  const sent = new Map<string, number[]>();
  const hits = new Map<string, number>();
  const waiters = new Map<string, ((n: number) => void)[]>();
  const record = (path: string, n: number) => {
    sent.set(path, [...(sent.get(path) ?? []), n]);
    for (const w of waiters.get(path) ?? []) w(n);
    waiters.delete(path);
  };
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
      return;
    }
    res.writeHead(route.status ?? 200, route.headers ?? { 'content-type': 'application/rss+xml' });
    if (route.body !== undefined) {
      const bytes = Buffer.from(route.body);
      res.end(bytes, () => record(path, bytes.length));
    } else if (route.stream !== undefined) {
      void streamBody(res, CHUNK, route.stream).then((n) => record(path, n));
    } else if (route.dripMs !== undefined) {
      let n = 0;
      const timer = setInterval(() => {
        res.write('x');
        n++;
      }, route.dripMs);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
        record(path, n);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    hits,
    closed: (path) => {
      const done = sent.get(path)?.[0];
      if (done !== undefined) return Promise.resolve(done);
      return new Promise<number>((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve]));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `bytes` of zeros gzipped: a small answer that inflates past any sane limit. */
export const gzipBomb = (bytes: number) => gzipSync(Buffer.alloc(bytes));
