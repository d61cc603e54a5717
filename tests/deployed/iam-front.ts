/**
 * The local front of "AWS": every SDK call of a deployed function reaches it (AWS_ENDPOINT_URL). It
 * authenticates the caller by its own access key (the SigV4 signature is checked with that key's secret), reads
 * the service from the credential scope, the action and the resources from the request, and asks an IAM policy
 * evaluator (@cloud-copilot/iam-simulate) whether the caller's role, and the resource's own policy, allow each
 * one. Denied: it answers `AccessDenied` in the service's own protocol, as AWS does. Allowed: it passes the
 * request to the emulator of that service. Every decision is kept, so a test can say nothing was denied and
 * list the actions each role really used.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PolicyDocument } from './assembly';

export interface Caller {
  /** Who it is in the decisions log (the function's construct name). */
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The role session the credentials belong to (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). */
  principal: string;
  policies: { name: string; document: PolicyDocument }[];
}

export interface Decision {
  caller: string;
  service: string;
  /** The IAM action, e.g. `dynamodb:PutItem` (SQS's SendMessageBatch is authorized as sqs:SendMessage). */
  action: string;
  resource: string;
  allowed: boolean;
  /** The API operation the request named (SendMessageBatch, BatchGetItem…). */
  operation: string;
  /** Which request it was (one request can need several decisions: SES checks the identity and the set). */
  request: number;
}

export interface FrontOptions {
  region: string;
  account: string;
  callers: Caller[];
  /** The emulator of each service, by SigV4 signing name (dynamodb, sqs, s3, ses, secretsmanager, lambda, scheduler). */
  upstreams: Record<string, string>;
  resourcePolicies: Map<string, PolicyDocument>;
}

interface Authorized {
  operation: string;
  checks: { action: string; resource: string }[];
}

/** What a request asks, in IAM terms: its operation and each (action, resource) that must be allowed. */
export function authorizationOf(
  service: string,
  req: { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer },
  place: { region: string; account: string },
): Authorized {
  const { region, account } = place;
  const target = String(req.headers['x-amz-target'] ?? '');
  const json = () => JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
  switch (service) {
    case 'dynamodb': {
      const operation = target.split('.')[1] ?? '';
      const body = json();
      const table = (name: unknown, index?: unknown) =>
        `arn:aws:dynamodb:${region}:${account}:table/${String(name)}${index ? `/index/${String(index)}` : ''}`;
      if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
        const tables = Object.keys((body.RequestItems ?? {}) as object);
        return { operation, checks: tables.map((t) => ({ action: `dynamodb:${operation}`, resource: table(t) })) };
      }
      if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
        const items = (body.TransactItems ?? []) as Record<string, { TableName: string }>[];
        return {
          operation,
          checks: items.flatMap((item) =>
            Object.entries(item).map(([kind, v]) => ({
              action: `dynamodb:${kind === 'Get' ? 'GetItem' : kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
              resource: table(v.TableName),
            })),
          ),
        };
      }
      return {
        operation,
        checks: [{ action: `dynamodb:${operation}`, resource: table(body.TableName, body.IndexName) }],
      };
    }
    case 'sqs': {
      const operation = target.split('.')[1] ?? '';
      const body = json();
      const batched: Record<string, string> = {
        SendMessageBatch: 'SendMessage',
        DeleteMessageBatch: 'DeleteMessage',
        ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
      };
      const name = String(body.QueueUrl ?? body.QueueName ?? '')
        .split('/')
        .pop();
      return {
        operation,
        checks: [
          { action: `sqs:${batched[operation] ?? operation}`, resource: `arn:aws:sqs:${region}:${account}:${name}` },
        ],
      };
    }
    case 'secretsmanager': {
      const operation = target.split('.')[1] ?? '';
      const id = String(json().SecretId ?? '');
      const arn = id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${account}:secret:${id}`;
      return { operation, checks: [{ action: `secretsmanager:${operation}`, resource: arn }] };
    }
    case 'ses': {
      const form = new URLSearchParams(req.body.toString('utf8'));
      const operation = form.get('Action') ?? '';
      if (operation === 'SendRawEmail' || operation === 'SendEmail') {
        const raw = Buffer.from(form.get('RawMessage.Data') ?? '', 'base64').toString('utf8');
        const from = form.get('Source') ?? /^From:.*?<?([^\s<>@]+@[^\s<>]+)>?\s*$/im.exec(raw)?.[1] ?? '';
        const domain = from.split('@')[1]?.toLowerCase() ?? '';
        const checks = [
          { action: `ses:${operation}`, resource: `arn:aws:ses:${region}:${account}:identity/${domain}` },
        ];
        const set = form.get('ConfigurationSetName');
        if (set)
          checks.push({
            action: `ses:${operation}`,
            resource: `arn:aws:ses:${region}:${account}:configuration-set/${set}`,
          });
        return { operation, checks };
      }
      return { operation, checks: [{ action: `ses:${operation}`, resource: '*' }] };
    }
    case 's3': {
      const [bucket, ...key] = decodeURIComponent(req.path.split('?')[0] ?? '')
        .replace(/^\//, '')
        .split('/');
      const object = key.join('/');
      const byMethod: Record<string, string> = object
        ? { PUT: 'PutObject', GET: 'GetObject', HEAD: 'GetObject', DELETE: 'DeleteObject' }
        : { GET: 'ListBucket', PUT: 'CreateBucket', HEAD: 'ListBucket', DELETE: 'DeleteBucket' };
      const operation = byMethod[req.method] ?? req.method;
      return {
        operation,
        checks: [{ action: `s3:${operation}`, resource: `arn:aws:s3:::${bucket}${object ? `/${object}` : ''}` }],
      };
    }
    case 'lambda': {
      const p = decodeURIComponent(req.path.split('?')[0] ?? '');
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(p);
      if (invoke) {
        const name = invoke[1] as string;
        const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${region}:${account}:function:${name}`;
        return { operation: 'Invoke', checks: [{ action: 'lambda:InvokeFunction', resource: arn }] };
      }
      const mapping = /^\/2015-03-31\/event-source-mappings\/([^/]+)$/.exec(p);
      if (mapping) {
        const operation = req.method === 'PUT' ? 'UpdateEventSourceMapping' : 'GetEventSourceMapping';
        const resource = `arn:aws:lambda:${region}:${account}:event-source-mapping:${mapping[1]}`;
        return { operation, checks: [{ action: `lambda:${operation}`, resource }] };
      }
      break;
    }
    case 'scheduler': {
      const url = new URL(req.path, 'http://local');
      const name = decodeURIComponent(/^\/schedules\/([^/]+)$/.exec(url.pathname)?.[1] ?? '');
      if (!name) break;
      if (req.method === 'GET') {
        const group = url.searchParams.get('groupName') ?? 'default';
        const resource = `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
        return { operation: 'GetSchedule', checks: [{ action: 'scheduler:GetSchedule', resource }] };
      }
      const body = json() as { GroupName?: string; Target?: { RoleArn?: string } };
      const resource = `arn:aws:scheduler:${region}:${account}:schedule/${body.GroupName ?? 'default'}/${name}`;
      // A schedule runs its target as a role: whoever sets the target must be allowed to pass that role.
      return {
        operation: 'UpdateSchedule',
        checks: [
          { action: 'scheduler:UpdateSchedule', resource },
          ...(body.Target?.RoleArn ? [{ action: 'iam:PassRole', resource: body.Target.RoleArn }] : []),
        ],
      };
    }
  }
  throw new Error(`the local front does not know the service ${service} (${req.method} ${req.path})`);
}

/** `AccessDenied` as each protocol says it. */
function denied(service: string, message: string): { status: number; headers: Record<string, string>; body: string } {
  if (service === 'ses') {
    return {
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
    };
  }
  if (service === 's3') {
    return {
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`,
    };
  }
  if (service === 'lambda' || service === 'scheduler') {
    // rest-json: the error type in a header, the message in the body.
    return {
      status: 403,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
      body: JSON.stringify({ Message: message, message }),
    };
  }
  const type = service === 'sqs' ? 'com.amazon.coral.service#AccessDeniedException' : 'AccessDeniedException';
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'AccessDeniedException' },
    body: JSON.stringify({ __type: type, message, Message: message }),
  };
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (keyed: HMAC) in the shape the SigV4 signer takes. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const SCOPE = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

export async function startIamFront(options: FrontOptions) {
  const decisions: Decision[] = [];
  let requests = 0;
  const callers = new Map(options.callers.map((c) => [c.accessKeyId, c]));
  const cache = new Map<string, Promise<boolean>>();
  const place = { region: options.region, account: options.account };

  const evaluate = (caller: Caller, action: string, resource: string): Promise<boolean> => {
    const key = `${caller.accessKeyId} ${action} ${resource}`;
    let decided = cache.get(key);
    if (!decided) {
      const resourcePolicy = resourcePolicyFor(options.resourcePolicies, resource);
      const simulation: Simulation = {
        identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.document as never })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy: resourcePolicy as never } : {}),
        request: {
          principal: caller.principal,
          action,
          resource: { resource, accountId: options.account },
          // Functions speak TLS to AWS; the stacks' TLS-only denies must not fire on the local plain HTTP.
          contextVariables: { 'aws:SecureTransport': 'true' },
        },
      };
      decided = runSimulation(simulation, {}).then((result) => {
        if (result.resultType === 'error') {
          throw new Error(`IAM simulation of ${action} on ${resource} failed: ${result.errors.message}`);
        }
        return result.overallResult === 'Allowed';
      });
      cache.set(key, decided);
    }
    return decided;
  };

  /** Whether an AWS service (`ses.amazonaws.com`) may act on a resource by that resource's own policy. */
  const evaluateService = async (
    service: string,
    action: string,
    resource: string,
    context: Record<string, string>,
  ): Promise<boolean> => {
    const resourcePolicy = resourcePolicyFor(options.resourcePolicies, resource);
    const result = await runSimulation(
      {
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy: resourcePolicy as never } : {}),
        request: {
          principal: service,
          action,
          resource: { resource, accountId: options.account },
          contextVariables: { 'aws:SecureTransport': 'true', ...context },
        },
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(`IAM simulation failed: ${result.errors.message}`);
    return result.overallResult === 'Allowed';
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const auth = String(req.headers.authorization ?? '');
        const scope = SCOPE.exec(auth);
        const caller = scope ? callers.get(scope[1] as string) : undefined;
        const service = scope?.[4] ?? '';
        if (!scope || !caller) {
          const answer = denied(service || 'dynamodb', 'The security token included in the request is invalid.');
          res.writeHead(403, answer.headers).end(answer.body);
          return;
        }
        if (scope[3] !== options.region) {
          const answer = denied(service, `Credential should be scoped to a valid region, not '${scope[3]}'.`);
          res.writeHead(403, answer.headers).end(answer.body);
          return;
        }
        if (!(await signatureHolds(req, body, caller, scope[3] as string, service))) {
          const answer = denied(
            service,
            'The request signature we calculated does not match the signature you provided.',
          );
          res.writeHead(403, answer.headers).end(answer.body);
          return;
        }
        const asked = authorizationOf(
          service,
          { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body },
          place,
        );
        let refusal: string | undefined;
        const request = ++requests;
        for (const check of asked.checks) {
          const allowed = await evaluate(caller, check.action, check.resource);
          decisions.push({ caller: caller.name, service, operation: asked.operation, ...check, allowed, request });
          refusal ??= allowed
            ? undefined
            : `User: ${caller.principal} is not authorized to perform: ${check.action} on resource: ${check.resource} because no identity-based policy allows the ${check.action} action`;
        }
        if (refusal) {
          const answer = denied(service, refusal);
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        const upstream = options.upstreams[service];
        if (!upstream) throw new Error(`no emulator for ${service}`);
        const target = new URL(upstream);
        const forward = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`local front: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    decisions,
    callers: options.callers,
    evaluate,
    evaluateService,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A resource's policy: the one for its ARN, or for the bucket/queue/topic it is part of. */
function resourcePolicyFor(policies: Map<string, PolicyDocument>, resource: string): PolicyDocument | undefined {
  return (
    policies.get(resource) ??
    (resource.startsWith('arn:aws:s3:::') ? policies.get(resource.split('/')[0] as string) : undefined)
  );
}

/**
 * Signs the received request again with the caller's secret, over the headers its signature named and at its
 * own date, and compares: a caller with another function's key id but not its secret is refused.
 */
async function signatureHolds(
  req: http.IncomingMessage,
  body: Buffer,
  caller: Caller,
  region: string,
  service: string,
): Promise<boolean> {
  const auth = String(req.headers.authorization);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const given = /Signature=([0-9a-f]+)/.exec(auth)?.[1];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = String(req.headers[name] ?? '');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] as string) : all;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: caller.accessKeyId,
      secretAccessKey: caller.secretAccessKey,
      ...(req.headers['x-amz-security-token'] ? { sessionToken: String(req.headers['x-amz-security-token']) } : {}),
    },
    region,
    service,
    sha256: Sha256,
    uriEscapePath: service !== 's3',
    applyChecksum: service === 's3',
  });
  const request = {
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: (headers.host ?? '').split(':')[0] ?? '',
    path: url.pathname,
    query,
    headers,
    body: headers['x-amz-content-sha256'] ? undefined : body,
  };
  const again = await signer.sign(request as never, {
    signingDate: date,
    signableHeaders: new Set(signed),
    unsignableHeaders: new Set(Object.keys(req.headers).filter((h) => !signed.includes(h))),
  });
  const mine = /Signature=([0-9a-f]+)/.exec(
    String((again as { headers: Record<string, string> }).headers.authorization),
  )?.[1];
  return Boolean(given) && mine === given;
}
