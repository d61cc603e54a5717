/**
 * Hosts the subscription handler on node's http server (`pinboard-digest serve`): on 127.0.0.1 only, bodies
 * kept up to MAX_BODY_BYTES and no further (a bigger one is answered 413 at once, the rest dropped unread),
 * slow or endless requests cut off by the server's timeouts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SubscriptionHandler } from './handler';
import { type HttpRequest, MAX_BODY_BYTES } from './types';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close: () => Promise<void>;
}

/** The request's body up to the limit; `tooLarge` as soon as it is passed (by Content-Length or by counting). */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES)
    return Promise.resolve({ body: Buffer.alloc(0), tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve({ body: Buffer.alloc(0), tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: false }));
    req.once('error', reject);
  });
}

function toRequest(req: IncomingMessage, body: Buffer, tooLarge: boolean): HttpRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body,
    bodyTooLarge: tooLarge,
    sourceIp: req.socket.remoteAddress,
  };
}

async function serveOne(handler: SubscriptionHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { body, tooLarge } = await readBody(req);
  const response = await handler(toRequest(req, body, tooLarge));
  res.writeHead(response.status, { ...response.headers, 'Content-Length': Buffer.byteLength(response.body) });
  res.end(response.body);
  // The rest of an oversized body is read and dropped, not kept; the server's requestTimeout (15 s) cuts off
  // one that never ends. (Closing at once, with bytes unread, resets the connection: the client may never see
  // the 413.)
  if (tooLarge) res.once('finish', () => req.resume());
}

/** Starts listening on `host` (127.0.0.1) and `port` (0: any free one). */
export function startServer(
  handler: SubscriptionHandler,
  options: { port: number; host?: string },
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    serveOne(handler, req, res).catch(() => {
      // The handler answers its own errors; this is a broken connection or a bug: answer plainly, say nothing more.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Something went wrong on our side. Please try again in a minute.');
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
