/**
 * The third size of test: the four functions as `cdk.out` bundles them, each in fresh Node 24 processes with
 * exactly the template's environment, every AWS call judged against its role's policy by an IAM evaluator in
 * front of the local emulators (tests/deployed/deployment.ts). One whole issue goes through them: sign-up and
 * confirmation through the HTTP API, a schedule tick, the send queue drained by the event source with a poisoned
 * record and a redelivered batch among the real ones, a refused address, a bounce and a complaint from SNS, a
 * one-click unsubscribe. Every subscriber gets the issue once, and nothing any function does is denied.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { TABLE_ACCESS } from '../../infra/table-access';
import type { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { METRICS } from '../../lambda/metrics';
import { rawPost } from '../helpers/pinboard-posts';
import { type Deployment, PLACE, startDeployment, synth } from './deployment';
import { DEPLOYED_CONFIG, type Journey, operatorStore, PINBOARD_TOKEN, runIssue } from './journey';
import {
  apiEvent,
  cliAs,
  isPinboardPacing,
  siteObjects,
  snsEvent,
  tableItems,
  writeDeployedConfig,
} from './operations';

const SUBSCRIBERS = 40;
const REFUSED = 'refused@example.net';
let d: Deployment;
let store: DynamoDbStore;
let closeStore: () => void;
let synthStderr = '';

const sesEventMessage = (kind: 'Bounce' | 'Complaint', email: string) => ({
  eventType: kind,
  mail: { timestamp: new Date().toISOString(), destination: [email], tags: { issue: ['1'] } },
  ...(kind === 'Bounce'
    ? {
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: email }],
          timestamp: new Date().toISOString(),
        },
      }
    : { complaint: { complainedRecipients: [{ emailAddress: email }], timestamp: new Date().toISOString() } }),
});

/** The EMF metric values a function logged, summed by name. */
const metricSums = (lines: string[]) => {
  const sums = new Map<string, number>();
  for (const line of lines) {
    if (!line.includes('CloudWatchMetrics')) continue;
    const entry = JSON.parse(line) as Record<string, unknown> & {
      _aws?: { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] };
    };
    for (const m of entry._aws?.CloudWatchMetrics?.[0]?.Metrics ?? [])
      sums.set(m.Name, (sums.get(m.Name) ?? 0) + Number(entry[m.Name] ?? 0));
  }
  return sums;
};

beforeAll(async () => {
  const synthesized = await synth(DEPLOYED_CONFIG, { alarmEmail: 'author@links.example.com' });
  synthStderr = synthesized.stderr;
  d = await startDeployment({
    cdkOut: synthesized.out,
    pinboardToken: PINBOARD_TOKEN,
    posts: Array.from({ length: 8 }, (_, i) => rawPost(20 - i, i, { tags: i % 2 ? 'web' : 'science' })),
    ses: { refuse: [REFUSED] },
  });
  ({ store, close: closeStore } = operatorStore(d));
  // The list the author already had (imported before the deploy), and one address SES refuses.
  await store.addSubscribers(
    [
      ...Array.from({ length: SUBSCRIBERS }, (_, i) => ({
        email: `reader${i}@example.org`,
        status: 'active' as const,
      })),
      { email: REFUSED, status: 'active' as const },
    ],
    new Date().toISOString(),
  );
}, 240_000);

afterAll(async () => {
  closeStore?.();
  await d?.stop();
});

describe('the synthesized functions, run as deployed', () => {
  it('the synth says which region it assumed when none was given', () => {
    expect(synthStderr).toMatch(/region/i);
  });

  it('subscription-api serves the sign-up page, mails a confirmation, and confirms only on POST', async () => {
    const api = d.container('SubscriptionApi');
    const page = await api.invoke<APIGatewayProxyStructuredResultV2>(apiEvent('GET', '/'));
    expect(page.error).toBeUndefined();
    expect(page.result?.statusCode).toBe(200);
    expect(String(page.result?.body)).toContain('<form');

    const subscribed = await api.invoke<APIGatewayProxyStructuredResultV2>(
      apiEvent('POST', '/subscribe', {
        body: 'email=newcomer%40example.org&name=New',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(subscribed.error).toBeUndefined();
    expect(subscribed.result?.statusCode).toBeLessThan(300);
    const mail = d.ses.accepted.find((m) => m.to.includes('newcomer@example.org'));
    expect(mail?.raw).toBeDefined();
    const parsed = await simpleParser(mail?.raw as string);
    const link = /https:\/\/links\.example\.com\/confirm\?token=[A-Za-z0-9._~-]+/.exec(parsed.text ?? '')?.[0];
    expect(link).toBeDefined();

    const looked = await api.invoke<APIGatewayProxyStructuredResultV2>(apiEvent('GET', link as string));
    expect(looked.result?.statusCode).toBe(200);
    expect((await store.findSubscriber('newcomer@example.org'))?.status).toBe('pending');
    const confirmed = await api.invoke<APIGatewayProxyStructuredResultV2>(
      apiEvent('POST', link as string, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }),
    );
    expect(confirmed.result?.statusCode).toBe(200);
    expect((await store.findSubscriber('newcomer@example.org'))?.status).toBe('active');
  }, 60_000);

  let journey: Journey;

  it('a schedule tick composes one issue; the event source delivers it to every reader once, under the roles', async () => {
    journey = await runIssue(d, 1, {
      beforeDrain: async () => {
        // EventBridge may deliver the same tick twice: still one issue.
        const again = await d
          .container('ComposeIssue')
          .invoke<{ outcome: string; issue?: number }>(d.scheduleEvent().event);
        expect(again.error).toBeUndefined();
        expect(again.result?.issue).toBe(1);
        // A record that is not a send batch, and a batch the queue delivers a second time.
        await d.putOnQueue('SendQueue', '{"not":"a batch"}');
        const ids = (await store.listSubscribers({ status: 'active', limit: 5 })).items.map((s) => s.id);
        await d.putOnQueue('SendQueue', JSON.stringify({ issue: 1, subscriberIds: ids }));
      },
    });
    expect(journey.composed.error).toBeUndefined();
    expect(journey.composed.result).toMatchObject({ outcome: 'enqueued', issue: 1, recipients: SUBSCRIBERS + 2 });
    expect(journey.invocations.every((i) => i.error === undefined)).toBe(true);
    const failures = journey.invocations.flatMap((i) => (i.result as SQSBatchResponse).batchItemFailures);
    expect(failures.length).toBeGreaterThanOrEqual(5); // the poisoned record, on each of its receives
    expect(await d.queueDepth('SendDeadLetters')).toBe(1);
    expect(await d.queueDepth('SendQueue')).toBe(0);

    const perReader = new Map<string, number>();
    for (const m of journey.accepted) for (const t of m.to) perReader.set(t, (perReader.get(t) ?? 0) + 1);
    expect(perReader.size).toBe(SUBSCRIBERS + 1); // the newcomer too; the refused address is not accepted
    expect([...perReader.values()].every((n) => n === 1)).toBe(true);
    expect(perReader.has(REFUSED)).toBe(false);
    const sets = new Set(d.ses.accepted.filter((m) => m.tags.issue === '1').map((m) => m.configurationSet));
    expect([...sets]).toEqual([d.fn('SendBatch').environment.DIGEST_CONFIGURATION_SET]);
    expect((await store.getIssue(1))?.status).toBe('sent');

    // What the functions told CloudWatch: every accepted and refused message counted.
    const logsOf = (name: string) => d.containers.filter((c) => c.fn.name === name).flatMap((c) => c.logs);
    const sums = metricSums(logsOf('SendBatch'));
    expect(sums.get(METRICS.sent)).toBe(journey.accepted.length);
    expect(sums.get(METRICS.refused)).toBe(1);
    expect(metricSums(logsOf('ComposeIssue')).get(METRICS.enqueued)).toBe(SUBSCRIBERS + 2);
  }, 180_000);

  it('ses-events suppresses a bounced and a complaining address from SNS', async () => {
    const events = d.container('SesEvents');
    const bounce = await events.invoke(snsEvent(sesEventMessage('Bounce', 'reader1@example.org')));
    expect(bounce.error).toBeUndefined();
    const complaint = await events.invoke(snsEvent(sesEventMessage('Complaint', 'reader2@example.org')));
    expect(complaint.error).toBeUndefined();
    expect((await store.findSubscriber('reader1@example.org'))?.status).toBe('bounced');
    expect((await store.findSubscriber('reader2@example.org'))?.status).toBe('complained');
  }, 60_000);

  it('a one-click unsubscribe from the mail header unsubscribes through subscription-api', async () => {
    const mail = d.ses.accepted.find((m) => m.tags.issue === '1' && m.to.includes('reader3@example.org'));
    const parsed = await simpleParser(mail?.raw as string);
    const header = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const url = /<(https:[^>]+)>/.exec(header)?.[1];
    expect(url).toMatch(/^https:\/\/links\.example\.com\/unsubscribe\?token=/);
    const answer = await d.container('SubscriptionApi').invoke<APIGatewayProxyStructuredResultV2>(
      apiEvent('POST', url as string, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(answer.result?.statusCode).toBe(200);
    expect((await store.findSubscriber('reader3@example.org'))?.status).toBe('unsubscribed');
  }, 60_000);

  it('no function was denied anything, and each used only table actions its role names', () => {
    const denied = d.front.decisions.filter((x) => !x.allowed);
    expect(denied).toEqual([]);
    for (const f of d.functions.values()) {
      const used = new Set(
        d.front.decisions.filter((x) => x.caller === f.name && x.service === 'dynamodb').map((x) => x.action),
      );
      const granted = new Set(
        f.role.policies
          .flatMap((p) => p.document.Statement)
          .flatMap((s) => [s.Action].flat() as string[])
          .filter((a) => a.startsWith('dynamodb:')),
      );
      expect([...used].every((a) => granted.has(a))).toBe(true);
      // The role holds what the store's methods on that function's paths call, no more.
      expect([...granted].sort()).toEqual(
        [...((TABLE_ACCESS as Record<string, readonly string[]>)[f.name] ?? [])].sort(),
      );
    }
  });

  it('no secret and no whole address reaches a log line', () => {
    const logs = d.containers.flatMap((c) => c.logs).join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const value of d.secretValues.values()) expect(logs).not.toContain(value);
    // The refused address is in send-batch's batch report, masked.
    expect(logs).toContain('r***@example.net');
    for (const address of [REFUSED, 'newcomer@example.org', 'reader1@example.org', 'reader2@example.org']) {
      expect(logs).not.toContain(address);
    }
  });

  it('measures the schedule tick to the first message accepted by SES, and the requests per message', () => {
    const t = journey.timings;
    expect(t.tickToFirstMessageMs).toBeGreaterThan(t.composeRunMs);
    // One SendRawEmail per message, a quota read per invocation; claim, read and record in the table.
    expect(journey.perMessage.ses).toBeGreaterThanOrEqual(1);
    expect(journey.perMessage.dynamodb).toBeGreaterThanOrEqual(2);
    process.stdout.write(`${JSON.stringify({ ...t, perMessage: journey.perMessage })}\n`);
  });
});

describe('the local front of AWS', () => {
  const resourceArn = (type: string, prefix: string, attribute = 'Arn') => {
    const r = d.assembly.resources(type).find((x) => x.logicalId.startsWith(prefix));
    if (!r) throw new Error(`no ${type} ${prefix}`);
    return attribute === 'Ref'
      ? d.assembly.ref(r.stack, r.logicalId)
      : d.assembly.getAtt(r.stack, r.logicalId, attribute);
  };
  const sqsAs = (name: string, secret?: string) => {
    const caller = d.front.callers.find((c) => c.name === name);
    if (!caller) throw new Error(`no caller ${name}`);
    return new SQSClient({
      region: PLACE.region,
      endpoint: d.front.url,
      useQueueUrlAsEndpoint: false,
      maxAttempts: 1,
      credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: secret ?? caller.secretAccessKey },
    });
  };

  it('answers AccessDenied for an action the role lacks (ses-events may not put on the send queue)', async () => {
    const sqs = sqsAs('SesEvents');
    const queueUrl = d.eventSource('SendBatch').queueUrl;
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }))).rejects.toMatchObject({
      name: expect.stringMatching(/AccessDenied/),
    });
    sqs.destroy();
    const denial = d.front.decisions.at(-1);
    expect(denial).toMatchObject({ caller: 'SesEvents', action: 'sqs:SendMessage', allowed: false });
  });

  it('refuses a request signed with the wrong secret for a known key', async () => {
    const sqs = sqsAs('SendBatch', 'not-the-secret');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: d.eventSource('SendBatch').queueUrl, MessageBody: '{}' })),
    ).rejects.toThrow(/signature/i);
    sqs.destroy();
  });

  it('lets SES publish its events to the topic only for this account and configuration set', async () => {
    const topic = resourceArn('AWS::SNS::Topic', 'SesEventsTopic', 'Ref');
    const setName = d.fn('SendBatch').environment.DIGEST_CONFIGURATION_SET;
    const setArn = `arn:aws:ses:${PLACE.region}:${PLACE.account}:configuration-set/${setName}`;
    const ses = (context: Record<string, string>) =>
      d.front.evaluateService('ses.amazonaws.com', 'sns:Publish', topic, context);
    expect(await ses({ 'aws:SourceAccount': PLACE.account, 'aws:SourceArn': setArn })).toBe(true);
    expect(await ses({ 'aws:SourceAccount': '999988887777', 'aws:SourceArn': setArn })).toBe(false);
    expect(await ses({ 'aws:SourceAccount': PLACE.account, 'aws:SourceArn': `${setArn}-other` })).toBe(false);
  });

  it('lets SNS put an undeliverable SES event on the ses-events dead-letter queue, and ses-events its failed invocations', async () => {
    const topic = resourceArn('AWS::SNS::Topic', 'SesEventsTopic', 'Ref');
    const dlq = resourceArn('AWS::SQS::Queue', 'SesEventsDeadLetters');
    expect(await d.front.evaluateService('sns.amazonaws.com', 'sqs:SendMessage', dlq, { 'aws:SourceArn': topic })).toBe(
      true,
    );
    const sesEvents = d.front.callers.find((c) => c.name === 'SesEvents');
    expect(await d.front.evaluate(sesEvents as never, 'sqs:SendMessage', dlq)).toBe(true);
    const sendBatch = d.front.callers.find((c) => c.name === 'SendBatch');
    expect(await d.front.evaluate(sendBatch as never, 'sqs:SendMessage', dlq)).toBe(false);
  });
});

describe('operating the deployment from the CLI: smoke, pause, resume, status', () => {
  let dir: string;
  let cli: ReturnType<typeof cliAs>;
  let scheduleAsDeployed: Record<string, unknown>;
  const scheduleNow = () => {
    const [schedule] = [...d.scheduler.schedules.values()];
    if (!schedule) throw new Error('no schedule');
    return schedule;
  };
  const sendPoller = () => d.mappings.find((m) => m.functionName === 'SendBatch');
  const mailsOf = (issue: number) => d.ses.accepted.filter((m) => m.tags.issue === String(issue));
  const EXTRA_READERS = 70;

  let decisionsBefore = 0;

  beforeAll(async () => {
    decisionsBefore = d.front.decisions.length;
    dir = mkdtempSync(path.join(tmpdir(), 'pd-operate-'));
    writeDeployedConfig(d, dir);
    cli = cliAs(d, dir);
    scheduleAsDeployed = { ...scheduleNow() };
    // New bookmarks since issue #1, so there is a next issue to compose. Pinboard allows posts/all once every
    // 5 minutes: the stand-in's and the function's memory of the last one forget it (the test's third shortcut
    // in time, beside the two in deployment.ts), as if that long had passed since issue #1.
    d.pinboard.posts = [
      ...Array.from({ length: 4 }, (_, i) => rawPost(2 - i * 0.25, 100 + i, { tags: 'web' })),
      ...d.pinboard.posts,
    ];
    const memo = await store.getMemo('pinboard-api:maciej:posts-all');
    if (!memo) throw new Error('issue #1 left no posts/all memo');
    await store.putMemo('pinboard-api:maciej:posts-all', JSON.stringify({ ...JSON.parse(memo), at: 0 }));
    d.pinboard.resetLimits();
  });

  it('without a deployment record, each command says that `deploy` writes it, and exits 2', async () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'pd-operate-none-'));
    writeFileSync(path.join(plain, 'digest.config.json'), JSON.stringify(DEPLOYED_CONFIG));
    const none = (args: string[]) => cliAs(d, plain)(args);
    const results = await Promise.all([
      ...['smoke', 'pause', 'resume', 'status'].map((c) => none([c, '--config', 'digest.config.json'])),
      none(['status']),
    ]);
    for (const r of results.slice(0, 4)) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'has no `deployment` record: `pinboard-digest deploy` writes it into deployed.config.json',
      );
      expect(r.stdout).toBe('');
    }
    // No --config and no deployed.config.json here.
    expect(results[4]?.code).toBe(2);
    expect(results[4]?.stderr).toMatch(/there is no deployed\.config\.json here .*`pinboard-digest deploy` writes it/);
    expect(scheduleNow().State).toBe('ENABLED');
  }, 60_000);

  it('smoke: every function answers ✔ with the log line that says so, and nothing changed', async () => {
    const items = await tableItems(d);
    const objects = await siteObjects(d);
    const depth = await d.queueDepth('SendQueue');
    const mails = d.ses.accepted.length;
    const decisionsFrom = d.front.decisions.length;
    const invocationsFrom = d.lambdaApi.invocations.length;

    const r = await cli(['smoke']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const logAfter = (mark: string) => lines[lines.findIndex((l) => l.startsWith(mark)) + 1] ?? '';
    expect(r.stdout).toMatch(/^✔ compose-issue {5}issue #2 would go out now: "[^"]+", 4 links \(nothing stored/m);
    expect(logAfter('✔ compose-issue')).toMatch(/log: smoke: issue #2 would go out now/);
    expect(r.stdout).toMatch(/^✔ send-batch .*an empty batch: nothing sent/m);
    expect(logAfter('✔ send-batch')).toMatch(/log: smoke: an empty batch, nothing sent \(SES pace [\d.]+\/s\)/);
    expect(r.stdout).toMatch(/^✔ ses-events .*a notice it ignores: ignored, nothing recorded/m);
    expect(logAfter('✔ ses-events')).toMatch(/log: SES events recorded .*ignored=1/);
    expect(r.stdout).toMatch(/^✔ subscription-api .*GET \/: the sign-up page \(200\)/m);
    expect(logAfter('✔ subscription-api')).toMatch(/log: request method=GET path=\/ status=200/);
    expect(lines).toContain('All 4 functions answered as deployed; nothing was changed.');

    // Each invoked once through Lambda's API, under its own role, nothing denied.
    const invoked = d.lambdaApi.invocations.slice(invocationsFrom);
    expect(invoked.map((i) => i.function).sort()).toEqual([
      'ComposeIssue',
      'SendBatch',
      'SesEvents',
      'SubscriptionApi',
    ]);
    const decisions = d.front.decisions.slice(decisionsFrom);
    expect(decisions.filter((x) => !x.allowed)).toEqual([]);
    expect(new Set(decisions.filter((x) => x.caller === 'Operator').map((x) => x.action))).toEqual(
      new Set(['lambda:InvokeFunction']),
    );
    expect(decisions.some((x) => x.caller === 'ComposeIssue' && x.service === 'secretsmanager')).toBe(true);
    // send-batch's empty batch touched no table (its cold start reads only its secret).
    expect(
      decisions.filter((x) => x.caller === 'SendBatch' && x.service !== 'secretsmanager' && x.service !== 'ses'),
    ).toEqual([]);

    // Nothing changed: no issue #2, no page published, nothing queued, no mail; in the table only the Pinboard
    // source's note of when it called (its rate limits need it).
    expect(await store.getIssue(2)).toBeUndefined();
    expect(await siteObjects(d)).toEqual(objects);
    expect(await d.queueDepth('SendQueue')).toBe(depth);
    expect(d.ses.accepted.length).toBe(mails);
    const now = await tableItems(d);
    expect(now.filter((i) => !isPinboardPacing(i))).toEqual(items.filter((i) => !isPinboardPacing(i)));
  }, 60_000);

  it('smoke: a function whose secret cannot be read is ✗, with the error its log explains it by; exit 1', async () => {
    const token = d.secretFor('PinboardToken');
    if (!token) throw new Error('no Pinboard token secret');
    const arn = d.assembly.ref(token.stack, token.logicalId);
    const value = d.secretValues.get(arn) as string;
    d.secretValues.delete(arn);
    // Warm environments keep the secret they read: a fresh one, as after a deploy.
    await d.lambdaApi.retire('ComposeIssue');
    try {
      const r = await cli(['smoke']);
      expect(r.code).toBe(1);
      const lines = r.stdout.split('\n');
      const failed = lines.findIndex((l) => l.startsWith('✗ compose-issue'));
      expect(lines[failed]).toMatch(/Unhandled: .*Secrets Manager can't find the specified secret/);
      expect(lines[failed + 1]).toMatch(
        /log: Invoke Error .*errorMessage=.*Secrets Manager can't find the specified secret/,
      );
      expect(lines.filter((l) => l.startsWith('✔ ')).map((l) => l.split(/\s+/)[1])).toEqual([
        'send-batch',
        'ses-events',
        'subscription-api',
      ]);
      expect(lines).toContain(
        `1 of 4 failed: compose-issue. Their logs: aws logs tail /aws/lambda/${d.fn('ComposeIssue').physicalName}`,
      );
    } finally {
      d.secretValues.set(arn, value);
      await d.lambdaApi.retire('ComposeIssue');
    }
  }, 60_000);

  it('status: running, the next issue in the author’s time zone, and the last issue’s figures from the table', async () => {
    const r = await cli(['status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Sending: running$/m);
    expect(r.stdout).toMatch(/schedule \S+ \(group default\): ENABLED, cron\(0 7 \? \* SAT \*\) in Europe\/London/);
    expect(r.stdout).toMatch(/send-batch's queue poller: Enabled/);
    expect(r.stdout).toMatch(/queue: the send queue is empty; the queue keeps a message 14 days after it was queued/);
    const next = /^Next issue: (Saturday \d+ \w+ \d{4}, 07:00 (GMT|BST)), Europe\/London \((\S+)\), in /m.exec(
      r.stdout,
    );
    expect(next).not.toBeNull();
    const at = new Date(String(next?.[3]));
    expect(at.getTime()).toBeGreaterThan(Date.now());
    expect(at.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
    const london = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        weekday: 'long',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    expect([london.weekday, london.hour, london.minute]).toEqual(['Saturday', '07', '00']);
    // Issue #1: 41 accepted (the newcomer too), the refused address; then a bounce, a complaint, an unsubscribe.
    expect(r.stdout).toMatch(
      /^Last issue: #1 "[^"]+", 8 links, sent \S+: 41 sent, 1 refused, 0 unfinished; since then 1 bounced, 1 complained, 1 unsubscribed$/m,
    );
  }, 60_000);

  it('pause: a schedule tick and the queued batches send nothing; status says paused and what is queued', async () => {
    // More readers: the issue goes out in several batches.
    await store.addSubscribers(
      Array.from({ length: EXTRA_READERS }, (_, i) => ({ email: `late${i}@example.org`, status: 'active' as const })),
      new Date().toISOString(),
    );
    // The schedule's tick before the pause: issue #2 composed, its batches on the queue, none sent yet.
    const composed = await d.tick<{ outcome: string; issue?: number; recipients?: number }>();
    expect(composed?.error).toBeUndefined();
    expect(composed?.result).toMatchObject({ outcome: 'enqueued', issue: 2 });
    const batches = await d.queueDepth('SendQueue');
    expect(batches).toBe(Math.ceil(Number(composed?.result?.recipients) / 50));
    expect(batches).toBeGreaterThan(1);

    const paused = await cli(['pause']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^Sending is paused\.$/m);
    expect(paused.stdout).toMatch(/schedule \S+: ENABLED → DISABLED: no new issue is composed/);
    expect(paused.stdout).toMatch(/send-batch's queue poller: Enabled → Disabled: no batch is sent/);
    expect(paused.stdout).toContain(
      `${batches} batches on the send queue: ${batches} waiting, 0 being sent, 0 held back for the SES quota; the queue keeps a message 14 days after it was queued`,
    );
    expect(scheduleNow().State).toBe('DISABLED');
    expect(sendPoller()?.state).toBe('Disabled');

    // The schedule's next time comes round: nothing is invoked. The event source polls: nothing is received.
    const containers = d.containers.length;
    expect(await d.tick()).toBeUndefined();
    expect(await d.drain('SendBatch')).toEqual([]);
    expect(d.containers.length).toBe(containers);
    expect(await d.queueDepth('SendQueue')).toBe(batches);
    expect(mailsOf(2)).toEqual([]);
    expect((await store.getIssue(2))?.status).toBe('sending');

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Sending: paused$/m);
    expect(status.stdout).toContain(`queue: ${batches} batches on the send queue: ${batches} waiting`);
    expect(status.stdout).toMatch(/^Next issue: none while paused; once resumed, Saturday \d+ \w+ \d{4}, 07:00 /m);
    expect(status.stdout).toMatch(/^Last issue: #2 "[^"]+", 4 links, sending \(composed \S+\): 0 sent, 0 refused/m);

    // One half switched back by hand (the console, a half-run pause): status says so.
    scheduleNow().State = 'ENABLED';
    const partly = await cli(['status']);
    scheduleNow().State = 'DISABLED';
    expect(partly.stdout).toMatch(
      /^Sending: partly paused \(the schedule is ENABLED, send-batch's queue poller is Disabled\)/m,
    );
  }, 90_000);

  it('resume: the queued batches go out, each reader once; the schedule is back as deployed', async () => {
    const resumed = await cli(['resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Sending is running\.$/m);
    expect(resumed.stdout).toMatch(/send-batch's queue poller: Disabled → Enabled: the \d+ queued batches go out now/);
    expect(resumed.stdout).toMatch(/schedule \S+: DISABLED → ENABLED/);
    expect(resumed.stdout).toMatch(/next issue: Saturday \d+ \w+ \d{4}, 07:00 (GMT|BST), Europe\/London/);

    // Enabled, the event source polls again by itself.
    await d.pollersIdle('SendBatch');
    expect(await d.queueDepth('SendQueue')).toBe(0);
    const active = (await store.listSubscribers({ status: 'active', limit: 1000 })).items.map((s) => s.email);
    const perReader = new Map<string, number>();
    for (const m of mailsOf(2)) for (const t of m.to) perReader.set(t, (perReader.get(t) ?? 0) + 1);
    expect([...perReader.keys()].sort()).toEqual(active.filter((e) => e !== REFUSED).sort());
    expect([...perReader.values()].every((n) => n === 1)).toBe(true);
    expect(perReader.size).toBe(SUBSCRIBERS + 1 - 3 + EXTRA_READERS);
    expect((await store.getIssue(2))?.status).toBe('sent');

    // UpdateSchedule replaces the schedule: everything came back as deployed, only its modification time moved.
    const { LastModificationDate: _was, ...deployed } = scheduleAsDeployed;
    const { LastModificationDate: _is, ...now } = scheduleNow() as unknown as Record<string, unknown>;
    expect(now).toEqual(deployed);
    expect(d.scheduler.updates.map((u) => u.State)).toEqual(['DISABLED', 'ENABLED']);
    expect(sendPoller()?.state).toBe('Enabled');
  }, 90_000);

  it('the operator needed nothing beyond its policy, and no function was denied anything', () => {
    expect(d.front.decisions.slice(decisionsBefore).filter((x) => !x.allowed)).toEqual([]);
    const used = new Set(d.front.decisions.filter((x) => x.caller === 'Operator').map((x) => x.action));
    expect([...used].sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'iam:PassRole',
        'lambda:GetEventSourceMapping',
        'lambda:InvokeFunction',
        'lambda:UpdateEventSourceMapping',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
        'sqs:GetQueueAttributes',
      ].sort(),
    );
  });
});
