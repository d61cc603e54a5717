/**
 * Exactly-once under faults, with real processes: `pinboard-digest send` through SES (a local
 * rate-limited endpoint) killed with SIGKILL mid-send and rerun, and two sends started at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, runCli } from '../helpers/cli';
import { sesEnv } from '../helpers/delivery';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type SesServer, startSesServer } from './servers/ses-server';

const SUBSCRIBERS = 300;
const RATE = 100;

function project(ses: SesServer) {
  const cwd = makeProject({
    posts: [rawPost(3, 1), rawPost(2, 2), rawPost(1, 3)],
    subscribers: Array.from({ length: SUBSCRIBERS }, (_, i) => `r${i}@example.com,`),
    config: { title: 'Faults', transport: { type: 'ses', maxSendRate: RATE } },
  });
  return { cwd, env: sesEnv(ses.url) };
}

function start(cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [BIN, 'send'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: 'ignore',
  });
  const done = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ? 137 : (code ?? 1))),
  );
  return { child, done };
}

/** Signals the send (SIGKILL unless told) as soon as the endpoint has accepted `count` messages. */
function killAfter(
  ses: SesServer,
  run: ReturnType<typeof start>,
  count: number,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (ses.accepted.length >= count) {
        clearInterval(timer);
        run.child.kill(signal);
        resolve();
      }
    }, 5);
    run.done.then(() => {
      clearInterval(timer);
      reject(new Error('send finished before it could be killed'));
    });
  });
}

const duplicates = (ses: SesServer) => [...ses.perRecipient().values()].reduce((n, c) => n + c - 1, 0);

describe('send through SES under faults', () => {
  it('killed with SIGKILL after ~100 messages and rerun: everyone gets it, duplicates ≤ concurrency', async () => {
    const ses = await startSesServer({ maxSendRate: RATE, randomThrottle: 0.05, keepRaw: false });
    try {
      const { cwd, env } = project(ses);
      const first = start(cwd, env);
      await killAfter(ses, first, 100);
      expect(await first.done).toBe(137);
      expect(ses.accepted.length).toBeLessThan(SUBSCRIBERS);

      const rerun = await runCli(['send'], { cwd, env });
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(/resuming issue #1/);
      expect(rerun.stdout).toMatch(/Issue #1 "Faults #1: 3 links" delivered/);
      expect(ses.perRecipient().size).toBe(SUBSCRIBERS);
      expect(duplicates(ses)).toBeLessThanOrEqual(25); // concurrencyFor(100)
    } finally {
      await ses.stop();
    }
  }, 60_000);

  it('two sends started at once deliver the issue once to everyone', async () => {
    const ses = await startSesServer({ maxSendRate: RATE * 2, keepRaw: false });
    try {
      const { cwd, env } = project(ses);
      // Seed first, so both runs race on the send itself, not on creating the list.
      await runCli(['subscribers', 'import', 'subscribers.csv'], { cwd, env });
      const [a, b] = [start(cwd, env), start(cwd, env)];
      const codes = (await Promise.all([a.done, b.done])).sort();
      expect(codes[0]).toBe(0);
      expect(ses.perRecipient().size).toBe(SUBSCRIBERS);
      expect(duplicates(ses)).toBe(0);
      const after = await runCli(['send'], { cwd, env });
      expect(after.stdout).toMatch(/Nothing to send/);
      expect(ses.accepted.length).toBe(SUBSCRIBERS);
    } finally {
      await ses.stop();
    }
  }, 60_000);
});

describe('send through SES with state in DynamoDB (dynalite)', () => {
  it('delivers once to everyone, resumes after SIGKILL, and a second run sends nothing', async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDbStore } = await import('../../lambda/adapters/dynamodb-store');
    const dynalite = (require('dynalite') as (o: object) => import('node:http').Server)({ createTableMs: 0 });
    await new Promise<void>((resolve) => dynalite.listen(0, '127.0.0.1', resolve));
    const dynamoUrl = `http://127.0.0.1:${(dynalite.address() as import('node:net').AddressInfo).port}`;
    const ses = await startSesServer({ maxSendRate: RATE, keepRaw: false });
    try {
      const { cwd, env: sesEnv } = project(ses);
      const config = JSON.parse(require('node:fs').readFileSync(path.join(cwd, 'digest.config.json'), 'utf8'));
      const store = { type: 'dynamodb', table: 'digest', claimTtlSeconds: 6, lockLeaseSeconds: 6 };
      writeFileSync(path.join(cwd, 'digest.config.json'), JSON.stringify({ ...config, store }));
      const env = { ...sesEnv, AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl };
      await new DynamoDbStore({
        table: 'digest',
        client: new DynamoDBClient({
          endpoint: dynamoUrl,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        }),
      }).createTable();

      const first = start(cwd, env);
      await killAfter(ses, first, 100);
      await first.done;
      // The killed run's lease and claims are live for a while: a rerun right away says so and exits non-zero.
      const early = await runCli(['send'], { cwd, env });
      expect(early.code).toBe(1);
      expect(early.stderr + early.stdout).toMatch(/another run holds the "send" lock|claimed by another run/);
      expect(ses.perRecipient().size).toBeLessThan(SUBSCRIBERS);
      expect(duplicates(ses)).toBe(0);

      // Once the lease and the claims are stale (6 s here), a rerun finishes the issue.
      await new Promise((r) => setTimeout(r, 6500));
      const rerun = await runCli(['send'], { cwd, env });
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toMatch(/Issue #1 "Faults #1: 3 links" delivered/);
      expect(ses.perRecipient().size).toBe(SUBSCRIBERS);
      expect(duplicates(ses)).toBeLessThanOrEqual(25);
      const after = await runCli(['send'], { cwd, env });
      expect(after.stdout).toMatch(/Nothing to send/);
    } finally {
      await ses.stop();
      await new Promise((resolve) => dynalite.close(resolve));
    }
  }, 60_000);
});

describe('send interrupted with Ctrl-C (SIGINT)', () => {
  it('finishes the messages in flight, records them, exits non-zero, and a rerun completes with no duplicates', async () => {
    const ses = await startSesServer({ maxSendRate: RATE, keepRaw: false });
    try {
      const { cwd, env } = project(ses);
      const first = start(cwd, env);
      await killAfter(ses, first, 50, 'SIGINT');
      expect(await first.done).toBe(1);
      expect(ses.accepted.length).toBeLessThan(SUBSCRIBERS);
      const rerun = await runCli(['send'], { cwd, env });
      expect(rerun.code).toBe(0);
      expect(ses.perRecipient().size).toBe(SUBSCRIBERS);
      expect(duplicates(ses)).toBe(0);
    } finally {
      await ses.stop();
    }
  }, 60_000);
});
