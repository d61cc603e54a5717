/** Serves fixed answers on 127.0.0.1 (port 0), recording each request: for feed sources. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticAnswer {
  status: number;
  type: string;
  body: string;
}

export async function startStaticServer(answer: (path: string) => StaticAnswer) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const a = answer(req.url ?? '/');
    res.writeHead(a.status, { 'content-type': a.type });
    res.end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
