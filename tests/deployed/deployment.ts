/**
 * A deployment on 127.0.0.1, made from `cdk.out` as CloudFormation and Lambda would make it:
 *
 *   cdk synth (the real CLI, a config that can run on Lambda)
 *     → the table, queues, bucket and secrets the templates declare, in dynalite, fauxqs and a Secrets Manager
 *       endpoint, under the names the templates' references resolve to (tests/deployed/assembly.ts)
 *     → each function's bundle in a fresh Node 24 process with the template's environment and credentials of
 *       its own (tests/deployed/lambda-runtime.cjs)
 *     → every AWS call through one front that authenticates the caller and evaluates its role's policy (and the
 *       resource's) with an IAM evaluator before the emulator sees it (tests/deployed/iam-front.ts)
 *
 * Lambda's own services are played here too, with the template's settings: the SQS event source (batch size,
 * maximum concurrency, partial batch responses; it polls with the function's role, as Lambda does), the
 * schedule's input, SNS's envelope, API Gateway's HTTP API v2 events.
 *
 * Queues keep the template's visibility timeout, so a batch in flight is never handed to a second invocation;
 * only for the records an invocation reported failed (or that it threw on) does the test skip the wait, making
 * them visible again at once, as they would be once the timeout passed. The Pinboard API is a local stand-in
 * reached through PINBOARD_API_URL (the only variable the function gets that the template does not set, beside
 * the endpoints).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { COMPOSE_EVENTS } from '../../lambda/core/review';
import { deploymentFromOutputs } from '../../lambda/deploy/outputs';
import { NODE_24, startDynamoServer, startSqsServer } from '../helpers/aws-local';
import { toSqsRecords } from '../helpers/sqs-poller';
import { type RawPost, startPinboardServer } from '../integration/servers/pinboard-server';
import { type SesServerOptions, startSesServer } from '../integration/servers/ses-server';
import { CloudAssembly, type DeployedFunction, type Place, type PolicyDocument } from './assembly';
import { type Caller, startIamFront } from './iam-front';
import { type Mapping, startLambdaApi } from './lambda-api';
import { type Schedule, startSchedulerApi } from './scheduler-api';
import { startSecretsServer } from './secrets-server';

const ROOT = path.resolve(__dirname, '../..');
const RUNTIME = path.join(__dirname, 'lambda-runtime.cjs');
/** fauxqs keeps every queue under this account, whatever the caller's. */
const FAUXQS_ACCOUNT = '000000000000';
export const PLACE: Place = { region: 'eu-west-2', account: '111122223333' };

/**
 * What the nodejs24.x runtime provides beside a function's code: the AWS SDK v3 (the bundles leave `@aws-sdk/*`
 * and `@smithy/*` out for it) and what it depends on, nothing else. Built once as links into the project's own
 * node_modules, and given to each process as NODE_PATH, as Lambda's /var/runtime/node_modules is.
 */
function runtimeModules(): string {
  const modules = path.join(ROOT, 'node_modules');
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pd-runtime-')), 'node_modules');
  const wanted = new Set<string>(readdirSync(path.join(modules, '@aws-sdk')).map((n) => `@aws-sdk/${n}`));
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const manifest = path.join(modules, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const deps =
      (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const dep of Object.keys(deps)) {
      if (!wanted.has(dep)) {
        wanted.add(dep);
        queue.push(dep);
      }
    }
  }
  for (const name of wanted) {
    if (!existsSync(path.join(modules, name))) continue;
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(path.join(modules, name), path.join(dir, name), 'dir');
  }
  return dir;
}

/** `cdk synth` of `config` into a fresh folder, as `npm run synth` runs it, with these context values. */
export async function synth(config: Record<string, unknown>, context: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-deployed-'));
  const configFile = path.join(dir, 'digest.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const out = path.join(dir, 'cdk.out');
  const args = ['synth', '--no-notices', '-q', '-o', out, '-c', `config=${configFile}`];
  for (const [k, v] of Object.entries(context)) args.push('-c', `${k}=${v}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
  };
  // No credentials and no region: the synth a user without an AWS account makes.
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'CDK_DEFAULT_REGION', 'CDK_DEFAULT_ACCOUNT', 'AWS_PROFILE']) {
    delete env[k];
  }
  const { stderr } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/cdk'), args, {
    cwd: ROOT,
    env,
    maxBuffer: 20 * 1024 * 1024,
  });
  return { dir, out, configFile, stderr };
}

export interface InvokeResult<T = unknown> {
  result?: T;
  error?: { errorType: string; errorMessage: string; stack?: string };
  /** The invocation's own time, and the environment's init time if this invocation was its first. */
  ms: number;
  coldInitMs?: number;
  /** The invocation's log lines, from the platform's start record to its report (what LogType=Tail cuts). */
  log: string[];
}

const reportOf = (line: string) =>
  line.includes('"platform.report"') ? (JSON.parse(line) as { record: { requestId: string } }).record.requestId : '';

/** One execution environment: a process with the function's bundle loaded. */
export class Container {
  readonly logs: string[] = [];
  private readonly child: ChildProcess;
  private readonly ready: Promise<number>;
  private next = 0;
  private first = true;
  private partial = '';
  private readonly waiting = new Map<number, (r: { requestId: string } & Omit<InvokeResult, 'log'>) => void>();
  /** Invocations whose answer came and whose report record is not read yet, by request id. */
  private readonly reports = new Map<string, () => void>();
  private readonly reported = new Set<string>();

  constructor(
    readonly fn: DeployedFunction,
    env: Record<string, string>,
  ) {
    this.child = fork(RUNTIME, [fn.codeDir, fn.handler, String(fn.timeoutSeconds)], {
      execPath: NODE_24,
      env,
      cwd: fn.codeDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // One stream (the runtime writes stderr to stdout), read line by line however the pipe cuts it.
    const keep = (chunk: Buffer) => {
      const lines = (this.partial + chunk.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.logs.push(line);
        const id = reportOf(line);
        if (id) {
          this.reported.add(id);
          this.reports.get(id)?.();
        }
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`${fn.name} exited ${code}: ${this.logs.join('\n')}`)));
      this.child.on(
        'message',
        (m: { type: string; id?: number; requestId: string; initMs: number } & Omit<InvokeResult, 'log'>) => {
          if (m.type === 'ready') resolve(m.initMs);
          else if (m.id !== undefined) {
            this.waiting.get(m.id)?.({ requestId: m.requestId, result: m.result, error: m.error, ms: m.ms });
            this.waiting.delete(m.id);
          }
        },
      );
    });
  }

  async invoke<T = unknown>(event: unknown): Promise<InvokeResult<T>> {
    const initMs = await this.ready;
    const id = this.next++;
    const answered = new Promise<{ requestId: string } & Omit<InvokeResult, 'log'>>((resolve) =>
      this.waiting.set(id, resolve),
    );
    this.child.send({ type: 'invoke', id, event, functionArn: this.fn.arn });
    const { requestId, ...answer } = await answered;
    // The answer comes over IPC, the log over the pipe: wait for the invocation's report record.
    if (!this.reported.has(requestId)) {
      await new Promise<void>((resolve) => this.reports.set(requestId, resolve));
      this.reports.delete(requestId);
    }
    const start = this.logs.findIndex((l) => l.includes('"platform.start"') && l.includes(`"${requestId}"`));
    const end = this.logs.findIndex((l) => reportOf(l) === requestId);
    const result: InvokeResult<T> = {
      ...(answer as Omit<InvokeResult<T>, 'log'>),
      log: this.logs.slice(start, end + 1),
    };
    if (this.first) {
      this.first = false;
      result.coldInitMs = initMs;
    }
    return result;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill();
    });
  }
}

/**
 * What the author's own credentials need for `smoke`, `pause`, `resume` and `status`, and no more: invoke the
 * four functions, read and switch the schedule (passing its role back to Scheduler) and send-batch's event
 * source mapping, read the send queue's attributes, read the table.
 */
export function operatorPolicy(assembly: CloudAssembly): PolicyDocument {
  const { region, account } = assembly.place;
  const fns = assembly.functions();
  const schedules = assembly.resources('AWS::Scheduler::Schedule');
  const scheduleArns = schedules.map((r) => {
    const p = assembly.resolve(r.stack, r.properties as never) as { Name?: string; GroupName?: string };
    const name = p.Name ?? assembly.ref(r.stack, r.logicalId);
    return `arn:aws:scheduler:${region}:${account}:schedule/${p.GroupName ?? 'default'}/${name}`;
  });
  const roles = schedules.map(
    (r) => (assembly.resolve(r.stack, r.properties.Target as never) as { RoleArn: string }).RoleArn,
  );
  const mappingArns = assembly
    .resources('AWS::Lambda::EventSourceMapping')
    .map((r) => `arn:aws:lambda:${region}:${account}:event-source-mapping:${assembly.ref(r.stack, r.logicalId)}`);
  const queues = assembly
    .resources('AWS::SQS::Queue')
    .filter((q) => q.logicalId.startsWith('SendQueue'))
    .map((q) => assembly.getAtt(q.stack, q.logicalId, 'Arn'));
  const tables = assembly
    .resources('AWS::DynamoDB::GlobalTable')
    .map((t) => assembly.getAtt(t.stack, t.logicalId, 'Arn'))
    .flatMap((arn) => [arn, `${arn}/index/*`]);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fns.map((f) => f.arn) },
      {
        Effect: 'Allow',
        Action: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        Resource: mappingArns,
      },
      { Effect: 'Allow', Action: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'], Resource: scheduleArns },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: roles },
      { Effect: 'Allow', Action: 'sqs:GetQueueAttributes', Resource: queues },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: tables,
      },
    ],
  };
}

export interface DeploymentOptions {
  cdkOut: string;
  posts: RawPost[];
  pinboardToken: string;
  ses?: Partial<SesServerOptions>;
}

export async function startDeployment(options: DeploymentOptions) {
  const assembly = new CloudAssembly(options.cdkOut, PLACE);
  const functions = new Map(assembly.functions().map((f) => [f.name, f]));
  const fn = (name: string) => {
    const f = functions.get(name);
    if (!f) throw new Error(`no function ${name} in ${options.cdkOut}: ${[...functions.keys()].join(', ')}`);
    return f;
  };

  // The emulators.
  const db = await startDynamoServer();
  const sqsServer = await startSqsServer();
  const ses = await startSesServer({ maxSendRate: 200, ...options.ses });
  const pinboard = await startPinboardServer({ token: options.pinboardToken, posts: options.posts });
  const secretValues = new Map<string, string>();
  const secrets = await startSecretsServer(secretValues);
  const admin = { region: PLACE.region, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } };
  const dynamoUrl = `http://127.0.0.1:${db.port}`;
  const fauxqsUrl = `http://127.0.0.1:${sqsServer.port}`;
  const sqsAdmin = new SQSClient({ ...admin, endpoint: fauxqsUrl, useQueueUrlAsEndpoint: false });

  // CloudFormation's part: every table, queue, bucket and secret of the templates.
  const dynamo = new DynamoDBClient({ ...admin, endpoint: dynamoUrl });
  for (const t of [
    ...assembly.resources('AWS::DynamoDB::GlobalTable'),
    ...assembly.resources('AWS::DynamoDB::Table'),
  ]) {
    const p = t.properties as Record<string, never>;
    await dynamo.send(
      new CreateTableCommand({
        TableName: assembly.ref(t.stack, t.logicalId),
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  dynamo.destroy();
  const queues = assembly.resources('AWS::SQS::Queue');
  // Dead-letter queues first: the others name them in their redrive policy.
  queues.sort((a, b) => Number(Boolean(a.properties.RedrivePolicy)) - Number(Boolean(b.properties.RedrivePolicy)));
  const queueNames = new Map<string, string>();
  for (const q of queues) {
    const name = assembly.ref(q.stack, q.logicalId).split('/').pop() as string;
    const redrive = q.properties.RedrivePolicy
      ? (assembly.resolve(q.stack, q.properties.RedrivePolicy) as {
          deadLetterTargetArn: string;
          maxReceiveCount: number;
        })
      : undefined;
    await sqsAdmin.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          ...(q.properties.VisibilityTimeout ? { VisibilityTimeout: String(q.properties.VisibilityTimeout) } : {}),
          ...(q.properties.MessageRetentionPeriod
            ? { MessageRetentionPeriod: String(q.properties.MessageRetentionPeriod) }
            : {}),
          ...(redrive
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: redrive.deadLetterTargetArn.replace(`:${PLACE.account}:`, `:${FAUXQS_ACCOUNT}:`),
                  maxReceiveCount: redrive.maxReceiveCount,
                }),
              }
            : {}),
        },
      }),
    );
    queueNames.set(q.logicalId, name);
  }
  const s3Admin = new S3Client({ ...admin, endpoint: fauxqsUrl, forcePathStyle: true });
  for (const b of assembly.resources('AWS::S3::Bucket')) {
    await s3Admin.send(new CreateBucketCommand({ Bucket: assembly.ref(b.stack, b.logicalId) }));
  }
  const secretFor = (logicalId: string) =>
    assembly.resources('AWS::SecretsManager::Secret').find((s) => s.logicalId.startsWith(logicalId));
  for (const s of assembly.resources('AWS::SecretsManager::Secret')) {
    // The token is put by the author after deploy; the others CloudFormation generates.
    const value = s.logicalId.startsWith('PinboardToken') ? options.pinboardToken : randomBytes(32).toString('hex');
    secretValues.set(assembly.ref(s.stack, s.logicalId), value);
  }

  // IAM's part: each function's credentials and role; the front in front of every emulator.
  const credentials = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  const callers: Caller[] = [...functions.values()].map((f) => {
    const c = {
      accessKeyId: `ASIA${f.name
        .toUpperCase()
        .replace(/[^A-Z]/g, '')
        .padEnd(16, 'X')
        .slice(0, 16)}`,
      secretAccessKey: randomBytes(20).toString('hex'),
    };
    credentials.set(f.name, c);
    return {
      name: f.name,
      ...c,
      principal: `arn:aws:sts::${PLACE.account}:assumed-role/${f.role.name}/${f.physicalName}`,
      policies: f.role.policies,
    };
  });
  // The author at a terminal: the CLI's operations commands sign as this user, whose policy is the one
  // docs/operations.md gives them (operatorPolicy below); every call they make is judged like a function's.
  const operator = {
    name: 'Operator',
    accessKeyId: 'AKIAOPERATOREXAMPLE0',
    secretAccessKey: randomBytes(20).toString('hex'),
    principal: `arn:aws:iam::${PLACE.account}:user/author`,
    policies: [{ name: 'operate-digest', document: operatorPolicy(assembly) }],
  };
  // Lambda's and Scheduler's own APIs join once they run (below): the front reads its upstreams per request.
  const upstreams: Record<string, string> = {
    dynamodb: dynamoUrl,
    sqs: fauxqsUrl,
    s3: fauxqsUrl,
    ses: ses.url,
    secretsmanager: secrets.url,
  };
  const front = await startIamFront({
    ...PLACE,
    callers: [...callers, operator],
    upstreams,
    resourcePolicies: assembly.resourcePolicies(),
  });

  // Lambda's part: an environment per container, from the template and nothing of this process.
  const nodePath = runtimeModules();
  const containers: Container[] = [];
  const container = (name: string) => {
    const f = fn(name);
    const c = credentials.get(name) as { accessKeyId: string; secretAccessKey: string };
    const env: Record<string, string> = {
      ...f.environment,
      AWS_REGION: PLACE.region,
      AWS_DEFAULT_REGION: PLACE.region,
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: `session-of-${f.physicalName}`,
      AWS_LAMBDA_FUNCTION_NAME: f.physicalName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: `AWS_Lambda_${f.runtime}`,
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      LAMBDA_TASK_ROOT: f.codeDir,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      NODE_PATH: nodePath,
      // The outside world, redirected to 127.0.0.1.
      AWS_ENDPOINT_URL: front.url,
      PINBOARD_API_URL: pinboard.url,
    };
    const made = new Container(f, env);
    containers.push(made);
    return made;
  };

  /**
   * The SQS event source mappings, with the template's batch size, maximum concurrency and Enabled; each is
   * switched by the Lambda API (UpdateEventSourceMapping): off, its poller stops once the batches it holds are
   * done; on, it polls again until the queue is empty.
   */
  const mappings: Mapping[] = assembly.resources('AWS::Lambda::EventSourceMapping').map((r) => {
    const p = assembly.resolve(r.stack, r.properties as never) as {
      EventSourceArn: string;
      BatchSize: number;
      Enabled?: boolean;
      ScalingConfig?: { MaximumConcurrency?: number };
      FunctionResponseTypes?: string[];
    };
    const target = [...functions.values()].find(
      (f) => JSON.stringify(r.properties.FunctionName) === JSON.stringify({ Ref: f.logicalId }),
    );
    if (!target) throw new Error(`${r.logicalId}: its function is not in the templates`);
    const mapping: Mapping = {
      uuid: assembly.ref(r.stack, r.logicalId),
      functionName: target.name,
      functionArn: target.arn,
      eventSourceArn: p.EventSourceArn,
      batchSize: p.BatchSize,
      maxConcurrency: p.ScalingConfig?.MaximumConcurrency ?? 1000,
      functionResponseTypes: p.FunctionResponseTypes ?? [],
      state: p.Enabled === false ? 'Disabled' : 'Enabled',
      lastModified: new Date(),
      setEnabled: (enabled) => {
        mapping.lastModified = new Date();
        if (!enabled) {
          if (mapping.state === 'Disabled') return;
          mapping.state = 'Disabling';
          void Promise.allSettled([...(polling.get(target.name) ?? [])]).then(() => {
            if (mapping.state === 'Disabling') mapping.state = 'Disabled';
          });
          return;
        }
        if (mapping.state === 'Enabled') return;
        mapping.state = 'Enabling';
        setImmediate(() => {
          mapping.state = 'Enabled';
          void drain(target.name); // Lambda polls the queue again
        });
      },
    };
    return mapping;
  });
  /** The drains of each function's mapping that are running (the harness's pollers). */
  const polling = new Map<string, Set<Promise<unknown>>>();
  const mappingOf = (name: string) => {
    const m = mappings.find((x) => x.functionName === name);
    if (!m) throw new Error(`${name} has no event source mapping`);
    return m;
  };
  const eventSource = (name: string) => {
    const m = mappingOf(name);
    const queueName = m.eventSourceArn.split(':').pop() as string;
    return {
      queueUrl: `http://sqs.${PLACE.region}.localhost/${PLACE.account}/${queueName}`,
      batchSize: m.batchSize,
      maxConcurrency: m.maxConcurrency,
      reportsFailures: m.functionResponseTypes.includes('ReportBatchItemFailures'),
    };
  };

  /**
   * Lambda's SQS poller for `name`: `maxConcurrency` slots, each with an environment of its own, receiving
   * batches with the function's own credentials (through the front), invoking, deleting what succeeded. Runs
   * until the queue is empty and nothing is in flight, or `maxRounds`, or its mapping is disabled (a slot
   * finishes the batch it holds and receives no other): a disabled mapping polls nothing at all.
   */
  const drain = (name: string, limits: { maxRounds?: number; onBatch?: (ids: string[]) => void } = {}) => {
    const run = poll(name, limits);
    const running = polling.get(name) ?? new Set();
    polling.set(name, running);
    running.add(run);
    void run.finally(() => running.delete(run)).catch(() => {});
    return run;
  };
  const poll = async (name: string, limits: { maxRounds?: number; onBatch?: (ids: string[]) => void }) => {
    const mapping = mappingOf(name);
    const invocations: InvokeResult<SQSBatchResponse>[] = [];
    if (mapping.state !== 'Enabled') return invocations;
    const source = eventSource(name);
    const c = credentials.get(name) as { accessKeyId: string; secretAccessKey: string };
    const sqs = new SQSClient({
      region: PLACE.region,
      endpoint: front.url,
      credentials: c,
      useQueueUrlAsEndpoint: false,
    });
    const slot = async () => {
      const env = container(name);
      for (let round = 0; round < (limits.maxRounds ?? 200) && mapping.state === 'Enabled'; round++) {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: source.queueUrl,
            MaxNumberOfMessages: source.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = received.Messages ?? [];
        // Nothing visible, nothing in flight elsewhere, nothing delayed: the queue is drained.
        if (messages.length === 0) {
          if ((await depthOf(source.queueUrl.split('/').pop() as string)) === 0) break;
          continue;
        }
        const records = toSqsRecords(messages, {
          queueArn: `arn:aws:sqs:${PLACE.region}:${PLACE.account}:${source.queueUrl.split('/').pop()}`,
          region: PLACE.region,
        });
        limits.onBatch?.(records.map((r) => r.messageId));
        const answer = await env.invoke<SQSBatchResponse>({ Records: records });
        invocations.push(answer);
        // A thrown error returns the whole batch; a partial batch response returns only the records it names.
        const failed = answer.error
          ? new Set(records.map((r) => r.messageId))
          : new Set(
              (source.reportsFailures ? (answer.result?.batchItemFailures ?? []) : []).map((f) => f.itemIdentifier),
            );
        const done = messages.filter((m) => !failed.has(m.MessageId as string));
        // The visibility timeout of the records that come back, passed at once (the test's one shortcut in time).
        const back = messages.filter((m) => failed.has(m.MessageId as string));
        if (back.length > 0) {
          await sqsAdmin.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: `${fauxqsUrl}/${FAUXQS_ACCOUNT}/${source.queueUrl.split('/').pop()}`,
              Entries: back.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
            }),
          );
        }
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: source.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: source.maxConcurrency }, slot));
    sqs.destroy();
    return invocations;
  };

  /** The schedule's invocation of its target: the target's input, as EventBridge Scheduler sends it. */
  const scheduleEvent = () => {
    const [schedule] = assembly.resources('AWS::Scheduler::Schedule');
    if (!schedule) throw new Error('no schedule in the templates');
    const target = assembly.resolve(schedule.stack, schedule.properties.Target as never) as {
      Arn: string;
      Input?: string;
    };
    const targetFn = [...functions.values()].find((f) => f.arn === target.Arn);
    return { functionName: targetFn?.name, event: JSON.parse(target.Input ?? '{}') as unknown };
  };

  // Scheduler's part: the schedules as the templates declare them, served by its API and read at each tick.
  const schedulerApi = await startSchedulerApi(
    assembly.resources('AWS::Scheduler::Schedule').map((r) => {
      const p = assembly.resolve(r.stack, r.properties as never) as Omit<Schedule, 'Arn' | 'Name'> & { Name?: string };
      const name = p.Name ?? assembly.ref(r.stack, r.logicalId);
      const group = p.GroupName ?? 'default';
      const created = Date.now() / 1000;
      return {
        ...p,
        Arn: `arn:aws:scheduler:${PLACE.region}:${PLACE.account}:schedule/${group}/${name}`,
        Name: name,
        GroupName: group,
        State: p.State ?? 'ENABLED',
        CreationDate: created,
        LastModificationDate: created,
      };
    }),
  );
  upstreams.scheduler = schedulerApi.url;

  /**
   * One time of the schedule coming round: as Scheduler holds it now (not as the template wrote it), its
   * target invoked with its input in a fresh environment (a cold start). A DISABLED schedule fires nothing:
   * `undefined`.
   */
  const tick = async <T = unknown>(
    /** Which schedule: the one whose input has this `source` (the issue's schedule by default; review adds a draft one). */
    source: string = COMPOSE_EVENTS.deadline,
  ): Promise<(InvokeResult<T> & { functionName: string }) | undefined> => {
    const sourceOf = (input: string | undefined) =>
      (JSON.parse(input ?? '{}') as { source?: string }).source ?? COMPOSE_EVENTS.deadline;
    const [schedule, more] = [...schedulerApi.schedules.values()].filter((s) => sourceOf(s.Target.Input) === source);
    if (!schedule || more) throw new Error(`the harness ticks one schedule of source ${source}`);
    if (schedule.State !== 'ENABLED') return undefined;
    const target = [...functions.values()].find((f) => f.arn === schedule.Target.Arn);
    if (!target) throw new Error(`the schedule targets ${schedule.Target.Arn}, no function of the templates`);
    const event = schedule.Target.Input === undefined ? {} : (JSON.parse(schedule.Target.Input) as unknown);
    return { functionName: target.name, ...(await container(target.name).invoke<T>(event)) };
  };

  // Lambda's API: Invoke on the functions as deployed, and the event source mappings' switches.
  const lambdaApi = await startLambdaApi({ functions: [...functions.values()], container, mappings });
  upstreams.lambda = lambdaApi.url;

  const depthOf = async (name: string) => {
    const a = await sqsAdmin.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${fauxqsUrl}/${FAUXQS_ACCOUNT}/${name}`,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const n = (k: string) => Number(a.Attributes?.[k as never] ?? 0);
    return (
      n('ApproximateNumberOfMessages') +
      n('ApproximateNumberOfMessagesNotVisible') +
      n('ApproximateNumberOfMessagesDelayed')
    );
  };
  const queueName = (logicalIdPrefix: string) => {
    const name = [...queueNames].find(([id]) => id.startsWith(logicalIdPrefix))?.[1];
    if (!name) throw new Error(`no queue ${logicalIdPrefix}`);
    return name;
  };
  /** A queue's depth in the emulator's own view (visible + in flight + delayed). */
  const queueDepth = (logicalIdPrefix: string) => depthOf(queueName(logicalIdPrefix));

  /** Puts a raw body on a queue as a third party would (an operator, a bug elsewhere). */
  const putOnQueue = async (logicalIdPrefix: string, body: string) => {
    const url = `${fauxqsUrl}/${FAUXQS_ACCOUNT}/${queueName(logicalIdPrefix)}`;
    await sqsAdmin.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  };

  return {
    assembly,
    functions,
    fn,
    front,
    ses,
    pinboard,
    secrets,
    secretValues,
    secretFor,
    dynamoUrl,
    fauxqsUrl,
    container,
    containers,
    drain,
    eventSource,
    mappings,
    /** Resolves once every poller of `name` that runs has stopped (a resumed mapping drains in the background). */
    pollersIdle: async (name: string) => {
      while ((polling.get(name)?.size ?? 0) > 0) await Promise.all([...(polling.get(name) ?? [])]);
    },
    scheduleEvent,
    tick,
    scheduler: schedulerApi,
    lambdaApi,
    operator,
    queueDepth,
    putOnQueue,
    /**
     * The deployment record `deploy` would write from these stacks' outputs (every name resolved to the one the
     * emulators serve), and what the CLI needs to reach this deployment as the operator.
     */
    deploymentRecord: () => {
      const [data, digest] = ['-Data', '-Digest'].map((suffix) => {
        const name = assembly.stackNames.find((n) => n.endsWith(suffix));
        if (!name) throw new Error(`no stack *${suffix} in ${options.cdkOut}`);
        return name;
      }) as [string, string];
      return deploymentFromOutputs(
        { ...PLACE, stacks: { data, digest } },
        { data: assembly.outputs(data), digest: assembly.outputs(digest) },
        new Date().toISOString(),
      );
    },
    cliEnv: (): NodeJS.ProcessEnv => ({
      AWS_ACCESS_KEY_ID: operator.accessKeyId,
      AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
      // Another region than the deployment's: the commands must use the record's.
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_LAMBDA: front.url,
      AWS_ENDPOINT_URL_SCHEDULER: front.url,
      AWS_ENDPOINT_URL_SQS: front.url,
      AWS_ENDPOINT_URL_DYNAMODB: front.url,
    }),
    async stop() {
      await Promise.all([...polling.values()].flatMap((runs) => [...runs]).map((r) => r.catch(() => {})));
      await Promise.all(containers.map((c) => c.stop()));
      await lambdaApi.stop();
      await schedulerApi.stop();
      sqsAdmin.destroy();
      s3Admin.destroy();
      await front.stop();
      await secrets.stop();
      await pinboard.stop();
      await ses.stop();
      await sqsServer.stop();
      await db.stop();
    },
  };
}

export type Deployment = Awaited<ReturnType<typeof startDeployment>>;
