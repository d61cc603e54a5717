/**
 * The account side of AWS that `deploy` asks before it changes anything, on 127.0.0.1: STS GetCallerIdentity
 * (query protocol, XML) and SSM GetParameter (JSON 1.1) for CDK's bootstrap version. Every other request is
 * recorded as an attempted change (CloudFormation, S3, Secrets Manager…) and refused, so a test can prove
 * that nothing was touched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsAccountState {
  /** undefined: STS refuses the credentials (InvalidClientTokenId). */
  account?: string;
  /** The bootstrap stack's version; undefined: the parameter does not exist. */
  bootstrapVersion?: number;
}

export interface AwsAccountServer {
  url: string;
  state: AwsAccountState;
  /** Requests that were neither STS nor the SSM bootstrap lookup: what a deploy would change. */
  changes: { method: string; path: string; target?: string; action?: string }[];
  stop(): Promise<void>;
}

export async function startAwsAccountServer(state: AwsAccountState): Promise<AwsAccountServer> {
  const changes: AwsAccountServer['changes'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = new URLSearchParams(body).get('Action') ?? undefined;
      if (action === 'GetCallerIdentity') {
        if (!state.account) {
          res
            .writeHead(403, { 'content-type': 'text/xml' })
            .end(
              '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>',
            );
          return;
        }
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${state.account}:user/author</Arn><UserId>AIDAEXAMPLE</UserId><Account>${state.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          );
        return;
      }
      if (target === 'AmazonSSM.GetParameter') {
        const name = (JSON.parse(body || '{}') as { Name?: string }).Name;
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (state.bootstrapVersion === undefined || name !== '/cdk-bootstrap/hnb659fds/version') {
          res.writeHead(400).end(JSON.stringify({ __type: 'ParameterNotFound', message: `${name} not found` }));
          return;
        }
        res
          .writeHead(200)
          .end(JSON.stringify({ Parameter: { Name: name, Type: 'String', Value: String(state.bootstrapVersion) } }));
        return;
      }
      changes.push({
        method: req.method ?? '',
        path: req.url ?? '',
        ...(target ? { target } : {}),
        ...(action ? { action } : {}),
      });
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"not served here"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    changes,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
