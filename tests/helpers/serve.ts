/** Runs the real `pinboard-digest serve` in a child process and talks to it over loopback HTTP. */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { BIN, runCli } from './cli';
import { rawPost } from './pinboard-posts';
import { makeProject } from './project';

export interface Served {
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `serve` (or another command that serves until Ctrl-C, such as `preview --watch`) in `cwd` with
 * `args` and waits until it says where it listens.
 */
export function startServe(
  cwd: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  command: string[] = ['serve'],
): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...command, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command.join(' ')} did not start in 30 s: ${err}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Ctrl-C stops it/.test(out) ? / on (http:\/\/\S+?)\/?\n/.exec(out)?.[1] : undefined;
      if (url) {
        clearTimeout(timer);
        resolve({
          url,
          stdout: () => out,
          stderr: () => err,
          stop: async () => {
            child.kill('SIGINT');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command.join(' ')} exited (${code}) before listening: ${err}`));
    });
  });
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with exactly these headers and body (no cookies, nothing added but Host). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A project with one bookmark whose siteUrl names a free port, its first issue sent to `subscribers` (unless
 * `send: false`), and `serve` started on that port.
 */
export async function servedProject(options: {
  subscribers: string[];
  host?: string;
  config?: Record<string, unknown>;
  send?: boolean;
}): Promise<{ cwd: string; port: number; served: Served }> {
  const port = await freePort();
  const cwd = makeProject({
    posts: [rawPost(2, 1)],
    subscribers: options.subscribers,
    config: { siteUrl: `http://${options.host ?? '127.0.0.1'}:${port}`, ...options.config },
  });
  if (options.send !== false) {
    const sent = await runCli(['send'], { cwd });
    if (sent.code !== 0) throw new Error(`send exited ${sent.code}: ${sent.stderr}`);
  }
  return { cwd, port, served: await startServe(cwd) };
}
