/**
 * The live preview's HTTP server, on 127.0.0.1 only: the page, its stylesheet and script, the email frames,
 * a stream of Server-Sent Events saying which build is current, and POST /refresh (fetch network bookmarks
 * again). lambda/http/node-host.ts answers one request with one response; an event stream stays open, so
 * this host is its own (small, and without request bodies: POST /refresh carries none worth reading).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FRAME_POLICY, LIVE_SCRIPT, PAGE_CSS, PAGE_POLICY } from './page';

export interface PreviewSite {
  /** The page of the current build. */
  page(): string;
  /** The current build's version, for the event stream. */
  version(): number;
  /** A frame of the issue shown, by name (`phone-dark.html`), or undefined. */
  frame(name: string): string | undefined;
  /** POST /refresh: ask network sources again. */
  refresh(): void;
}

export interface PreviewServer {
  url: string;
  port: number;
  /** Tells every open page that a new build is ready. */
  announce(): void;
  close(): Promise<void>;
}

/** Sent every 20 s on an idle stream, so that nothing between (or the browser) drops it. */
const HEARTBEAT_MS = 20_000;

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    ...NO_STORE,
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function startPreviewServer(site: PreviewSite, port: number, host = '127.0.0.1'): Promise<PreviewServer> {
  const streams = new Set<ServerResponse>();
  const event = () => `event: build\ndata: ${site.version()}\n\n`;

  let origins: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Only pages of this server, by the names it has: a site that rebinds its own name to 127.0.0.1 (DNS
    // rebinding) gets nothing, and no other page can make it fetch again.
    if (!origins.includes(`http://${req.headers.host ?? ''}`)) return send(res, 421, 'text/plain', 'Not this host.');
    const origin = req.headers.origin;
    if (req.method !== 'GET' && origin !== undefined && !origins.includes(origin)) {
      return send(res, 403, 'text/plain', 'Only the preview page may ask that.');
    }
    const url = new URL(req.url ?? '/', 'http://preview.invalid');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /') return send(res, 200, 'text/html', site.page(), { 'Content-Security-Policy': PAGE_POLICY });
    if (route === 'GET /preview.css') return send(res, 200, 'text/css', PAGE_CSS);
    if (route === 'GET /live.js') return send(res, 200, 'text/javascript', LIVE_SCRIPT);
    if (route === 'GET /events') {
      res.writeHead(200, { ...NO_STORE, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
      res.write(`retry: 1000\n${event()}`);
      streams.add(res);
      req.once('close', () => streams.delete(res));
      return;
    }
    if (route === 'POST /refresh') {
      req.resume();
      site.refresh();
      res.writeHead(303, { ...NO_STORE, Location: '/' });
      return res.end();
    }
    const frame = /^\/frame\/\d+\/([\w.-]+)$/.exec(url.pathname);
    const body = req.method === 'GET' && frame?.[1] ? site.frame(frame[1]) : undefined;
    if (body !== undefined) return send(res, 200, 'text/html', body, { 'Content-Security-Policy': FRAME_POLICY });
    return send(res, 404, 'text/plain', 'Not here: the preview is at /.');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) send(res, 500, 'text/plain', `The preview failed: ${(error as Error).message}`);
      else res.end();
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': still here\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      clearInterval(heartbeat);
      reject(error);
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      const { port: bound } = server.address() as AddressInfo;
      origins = [`http://${host}:${bound}`, `http://localhost:${bound}`];
      resolve({
        url: `http://${host}:${bound}`,
        port: bound,
        announce() {
          const message = event();
          for (const res of streams) res.write(message);
        },
        close: () =>
          new Promise<void>((done) => {
            clearInterval(heartbeat);
            for (const res of streams) res.end();
            streams.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
