/**
 * A small AWS Secrets Manager endpoint (JSON 1.1 protocol) on 127.0.0.1: `GetSecretValue`, `DescribeSecret`
 * and `PutSecretValue` of the secrets it was given, by ARN or name. No npm package serves Secrets Manager; the
 * functions read theirs through Powertools' parameters utility, which calls GetSecretValue.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startSecretsServer(secrets: Map<string, string>) {
  const calls: { operation: string; secretId: string }[] = [];
  const nameOf = (arn: string) => /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn)?.[1] ?? arn;
  const find = (id: string) => {
    for (const arn of secrets.keys()) if (arn === id || nameOf(arn) === id) return arn;
    return undefined;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        SecretId?: string;
        SecretString?: string;
      };
      const secretId = String(body.SecretId ?? '');
      calls.push({ operation, secretId });
      const arn = find(secretId);
      const reply = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      if (!arn) {
        reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      const meta = { ARN: arn, Name: nameOf(arn) };
      switch (operation) {
        case 'GetSecretValue':
          reply(200, {
            ...meta,
            SecretString: secrets.get(arn),
            VersionId: 'v1',
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 1_700_000_000,
          });
          return;
        case 'DescribeSecret':
          reply(200, meta);
          return;
        case 'PutSecretValue':
          secrets.set(arn, String(body.SecretString ?? ''));
          reply(200, { ...meta, VersionId: 'v2', VersionStages: ['AWSCURRENT'] });
          return;
        default:
          reply(400, { __type: 'InvalidRequestException', message: `${operation} is not served here` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
