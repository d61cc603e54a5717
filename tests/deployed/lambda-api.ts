/**
 * Lambda's own API on 127.0.0.1, over the deployment test's functions (behind the IAM front, which has
 * authenticated and authorized the caller already):
 *
 *   POST /2015-03-31/functions/{name}/invocations   Invoke: the function's bundle from cdk.out runs in an
 *       execution environment (a warm one if one is idle, else a new one: a cold start), and the answer comes
 *       back as Lambda gives it: the result as the body, `X-Amz-Function-Error: Unhandled` and the error's JSON
 *       when it threw, `X-Amz-Log-Result` (the last 4 KB of the invocation's log, base64) with
 *       `X-Amz-Log-Type: Tail`. `X-Amz-Invocation-Type` RequestResponse, Event (202, run after the answer) and
 *       DryRun (204, not run).
 *   GET /2015-03-31/event-source-mappings/{uuid}     GetEventSourceMapping
 *   PUT /2015-03-31/event-source-mappings/{uuid}     UpdateEventSourceMapping: `Enabled` stops or restarts the
 *       harness's poller of that mapping (tests/deployed/deployment.ts); other settings are refused here.
 *
 * Errors are rest-json, as Lambda's: `x-amzn-ErrorType` and a JSON body with `message`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeployedFunction } from './assembly';
import type { Container } from './deployment';

export type MappingState = 'Enabled' | 'Disabled' | 'Enabling' | 'Disabling';

/** What an event source mapping is, and the switch its poller obeys. */
export interface Mapping {
  uuid: string;
  /** The construct name of its function (SendBatch). */
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  maxConcurrency: number;
  functionResponseTypes: string[];
  state: MappingState;
  lastModified: Date;
  /** Turns the poller off (it finishes the batches it holds) or on (it starts polling again). */
  setEnabled(enabled: boolean): void;
}

export interface LambdaApiOptions {
  functions: readonly DeployedFunction[];
  /** A new execution environment of a function (by construct name). */
  container: (name: string) => Container;
  mappings: readonly Mapping[];
}

export interface Invocation {
  function: string;
  event: unknown;
  functionError?: string;
}

const TAIL_BYTES = 4096;

export async function startLambdaApi(options: LambdaApiOptions) {
  const idle = new Map<string, Container[]>();
  const invocations: Invocation[] = [];
  const find = (nameOrArn: string) =>
    options.functions.find((f) => f.physicalName === nameOrArn || f.arn === nameOrArn || f.name === nameOrArn);

  /** One invocation on an idle environment of the function, or a new one; the environment is idle after. */
  const invoke = async (f: DeployedFunction, event: unknown) => {
    const env = idle.get(f.name)?.pop() ?? options.container(f.name);
    const answer = await env.invoke(event);
    idle.set(f.name, [...(idle.get(f.name) ?? []), env]);
    invocations.push({
      function: f.name,
      event,
      ...(answer.error ? { functionError: 'Unhandled' } : {}),
    });
    return answer;
  };

  const mappingJson = (m: Mapping) => ({
    UUID: m.uuid,
    BatchSize: m.batchSize,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    FunctionResponseTypes: m.functionResponseTypes,
    ScalingConfig: { MaximumConcurrency: m.maxConcurrency },
    MaximumBatchingWindowInSeconds: 0,
    LastModified: m.lastModified.getTime() / 1000,
    State: m.state,
    StateTransitionReason: 'USER_INITIATED',
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const fail = (status: number, type: string, message: string) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
          .end(JSON.stringify({ Type: 'User', message }));
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
      try {
        const url = new URL(req.url ?? '/', 'http://local');
        const path = decodeURIComponent(url.pathname);
        const invokeMatch = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
        if (invokeMatch && req.method === 'POST') {
          const f = find(invokeMatch[1] as string);
          if (!f) return fail(404, 'ResourceNotFoundException', `Function not found: ${invokeMatch[1]}`);
          let event: unknown;
          try {
            event = body ? JSON.parse(body) : {};
          } catch {
            return fail(400, 'InvalidRequestContentException', 'Could not parse request body into json');
          }
          const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
          if (type === 'DryRun') return res.writeHead(204).end();
          if (type === 'Event') {
            void invoke(f, event);
            return res.writeHead(202).end();
          }
          const answer = await invoke(f, event);
          const headers: Record<string, string> = { 'x-amz-executed-version': '$LATEST' };
          if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') {
            const log = Buffer.from(`${answer.log.join('\n')}\n`, 'utf8');
            headers['x-amz-log-result'] = log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString('base64');
          }
          if (answer.error) {
            headers['x-amz-function-error'] = 'Unhandled';
            return json(
              200,
              {
                errorType: answer.error.errorType,
                errorMessage: answer.error.errorMessage,
                trace: String(answer.error.stack ?? '').split('\n'),
              },
              headers,
            );
          }
          return json(200, answer.result ?? null, headers);
        }
        const mappingMatch = /^\/2015-03-31\/event-source-mappings\/([^/]+)$/.exec(path);
        if (mappingMatch) {
          const m = options.mappings.find((x) => x.uuid === mappingMatch[1]);
          if (!m) return fail(404, 'ResourceNotFoundException', `The resource you requested does not exist.`);
          if (req.method === 'GET') return json(200, mappingJson(m));
          if (req.method === 'PUT') {
            const update = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
            const other = Object.keys(update).filter((k) => k !== 'Enabled');
            if (other.length > 0) {
              return fail(400, 'InvalidParameterValueException', `not served here: ${other.join(', ')}`);
            }
            if (typeof update.Enabled === 'boolean') m.setEnabled(update.Enabled);
            return json(202, mappingJson(m));
          }
        }
        fail(400, 'InvalidRequestException', `${req.method} ${path} is not served here`);
      } catch (error) {
        fail(500, 'ServiceException', (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    /** Lets go of a function's idle environments: its next invocation is a cold start (as after a deploy). */
    retire: async (name: string) => {
      const envs = idle.get(name) ?? [];
      idle.delete(name);
      await Promise.all(envs.map((e) => e.stop()));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
