/**
 * Answers link checks on loopback addresses (each its own server on port 0, so each is a host `addr:port`
 * of its own), counting requests and the most in flight at once per host. Paths:
 * /ok 200 · /moved 301 → /ok · /temp 302 → /ok · /missing 404 · /gone 410 · /error 503 ·
 * /no-head 405 to HEAD, 200 to GET · /loop 301 to itself · /reset closes the connection unanswered ·
 * /slow answers 200 after `slowMs` (beyond any checker's time limit).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LinkServer {
  /** Base URL of each host, in the order of `addresses`. */
  hosts: string[];
  /** Every request: host (`addr:port`), method, path and User-Agent. */
  requests: { host: string; method: string; path: string; userAgent: string }[];
  /** The most requests in flight at once on each host. */
  maxInFlight: Map<string, number>;
  stop(): Promise<void>;
}

export async function startLinkServer(options: { addresses?: string[]; slowMs?: number } = {}): Promise<LinkServer> {
  const addresses = options.addresses ?? ['127.0.0.1'];
  const slowMs = options.slowMs ?? 30_000;
  const requests: LinkServer['requests'] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const host = `${req.socket.localAddress}:${req.socket.localPort}`;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ host, method: req.method ?? '', path, userAgent: req.headers['user-agent'] ?? '' });
    const now = (inFlight.get(host) ?? 0) + 1;
    inFlight.set(host, now);
    maxInFlight.set(host, Math.max(maxInFlight.get(host) ?? 0, now));
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
    };
    res.on('close', done);
    req.socket.on('close', done);
    const send = (status: number, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(
        req.method === 'HEAD' ? undefined : `<!doctype html><title>${status}</title><p>${'x'.repeat(50_000)}</p>`,
      );
    };
    switch (path.replace(/\/[^/]*$/, '') === '' ? path : `/${path.split('/')[1]}`) {
      case '/ok':
        return send(200);
      case '/moved':
        return send(301, { location: '/ok' });
      case '/temp':
        return send(302, { location: '/ok' });
      case '/missing':
        return send(404);
      case '/gone':
        return send(410);
      case '/error':
        return send(503);
      case '/no-head':
        return req.method === 'HEAD' ? send(405, { allow: 'GET' }) : send(200);
      case '/loop':
        return send(301, { location: req.url ?? '/loop' });
      case '/reset':
        req.socket.destroy();
        return;
      case '/slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send(200);
        }, slowMs);
        timers.add(timer);
        return;
      }
      default:
        return send(404);
    }
  };

  const servers: http.Server[] = [];
  const hosts: string[] = [];
  for (const address of addresses) {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    servers.push(server);
    hosts.push(`http://${address}:${(server.address() as AddressInfo).port}`);
  }
  return {
    hosts,
    requests,
    maxInFlight,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/**
 * An https server on 127.0.0.1 whose certificate is self-signed (made with openssl for this run): a client
 * that checks certificates refuses it (DEPTH_ZERO_SELF_SIGNED_CERT), as it would an expired one.
 */
export async function startSelfSignedServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('a page behind a certificate nobody vouches for');
  });
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/secure`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
