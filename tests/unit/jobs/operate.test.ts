import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import {
  deploymentStatus,
  nextIssue,
  OperationError,
  pauseSending,
  resumeSending,
  type SendingControls,
  sendingState,
} from '../../../lambda/jobs/operate';
import { explainingLine, smokeDeployment } from '../../../lambda/jobs/operate-smoke';
import { smokeLines, statusLines } from '../../../lambda/jobs/operate-text';
import type {
  FunctionInvoker,
  InvokeAnswer,
  MappingState,
  QueueDepth,
  ScheduleState,
  ScheduleView,
} from '../../../lambda/ports/operations';

/**
 * A schedule and a mapping that behave as AWS's do where it matters here: the mapping takes a few reads to
 * move from Disabling to Disabled (Enabling to Enabled), and every call is written down in order.
 */
function deployment(initial: { schedule?: ScheduleState; mapping?: MappingState; settleAfterReads?: number } = {}) {
  const calls: string[] = [];
  const schedule: ScheduleView = {
    name: 'digest-schedule',
    group: 'default',
    state: initial.schedule ?? 'ENABLED',
    expression: 'cron(0 7 ? * SAT *)',
    timeZone: 'Europe/London',
  };
  let mapping: MappingState = initial.mapping ?? 'Enabled';
  let readsToSettle = 0;
  let clock = Date.parse('2026-12-02T19:55:00Z');
  const fail = new Set<string>();
  const queue: QueueDepth = { visible: 3, inFlight: 0, delayed: 1, retentionSeconds: 1_209_600 };
  const controls: SendingControls = {
    schedule: {
      get: async () => {
        calls.push('schedule.get');
        return { ...schedule };
      },
      setState: async (state) => {
        calls.push(`schedule.set ${state}`);
        if (fail.has('schedule.set')) throw new Error('AccessDeniedException: not allowed');
        schedule.state = state;
      },
    },
    eventSource: {
      get: async () => {
        calls.push('mapping.get');
        if (readsToSettle > 0 && --readsToSettle === 0) mapping = mapping === 'Disabling' ? 'Disabled' : 'Enabled';
        return { state: mapping };
      },
      setEnabled: async (enabled) => {
        calls.push(`mapping.set ${enabled}`);
        if (fail.has('mapping.set')) throw new Error('ResourceInUseException: busy');
        mapping = enabled ? 'Enabling' : 'Disabling';
        readsToSettle = initial.settleAfterReads ?? 2;
        return { state: mapping };
      },
    },
    queue: {
      depth: async () => {
        calls.push('queue.depth');
        return queue;
      },
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => new Date(clock),
    settleMs: 10_000,
  };
  return { controls, calls, fail, schedule, mapping: () => mapping };
}

describe('pause and resume', () => {
  it('pause stops the schedule first, then the poller, waits until it is Disabled, and says what is queued', async () => {
    const d = deployment();
    const outcome = await pauseSending(d.controls);
    expect(d.calls).toEqual([
      'schedule.get',
      'schedule.set DISABLED',
      'mapping.get',
      'mapping.set false',
      'mapping.get',
      'mapping.get',
      'queue.depth',
    ]);
    expect(outcome).toEqual({
      schedule: { name: 'digest-schedule', before: 'ENABLED', after: 'DISABLED' },
      eventSource: { before: 'Enabled', after: 'Disabled' },
      queue: { visible: 3, inFlight: 0, delayed: 1, retentionSeconds: 1_209_600 },
    });
  });

  it('resume starts the poller first (the queued batches flow), then the schedule', async () => {
    const d = deployment({ schedule: 'DISABLED', mapping: 'Disabled' });
    const outcome = await resumeSending(d.controls);
    const order = d.calls.filter((c) => c.includes('.set'));
    expect(order).toEqual(['mapping.set true', 'schedule.set ENABLED']);
    expect(outcome.eventSource).toEqual({ before: 'Disabled', after: 'Enabled' });
    expect(outcome.schedule).toMatchObject({ before: 'DISABLED', after: 'ENABLED' });
    // What was queued while paused is read before the poller starts taking it.
    expect(d.calls.indexOf('queue.depth')).toBeLessThan(d.calls.indexOf('mapping.set true'));
    expect(outcome.next).toMatchObject({ kind: 'at', at: new Date('2026-12-05T07:00:00Z') });
  });

  it('leaves alone what is already where it should be', async () => {
    const d = deployment({ schedule: 'DISABLED', mapping: 'Disabled' });
    const outcome = await pauseSending(d.controls);
    expect(d.calls.filter((c) => c.includes('.set'))).toEqual([]);
    expect(outcome.schedule).toMatchObject({ before: 'DISABLED', after: 'DISABLED' });
    // A poller already on its way is waited for, not switched again.
    const moving = deployment({ mapping: 'Disabling' });
    const second = await pauseSending(moving.controls);
    expect(moving.calls).not.toContain('mapping.set false');
    expect(second.eventSource.after).toBe('Disabling'); // it never settles: said as it is, after the wait
  });

  it('a poller that does not settle in time is reported as it is, after the wait', async () => {
    const d = deployment({ settleAfterReads: 1000 });
    const outcome = await pauseSending(d.controls);
    expect(outcome.eventSource.after).toBe('Disabling');
    expect(d.calls.filter((c) => c === 'mapping.get').length).toBeGreaterThan(5);
  });

  it('a step that fails stops the run, saying what was done and what was not', async () => {
    const d = deployment();
    d.fail.add('mapping.set');
    const run = pauseSending(d.controls);
    await expect(run).rejects.toThrow(OperationError);
    await expect(pauseSending(d.controls)).rejects.toThrow(
      /^could not disable send-batch's queue poller: ResourceInUseException: busy$/,
    );
    const fresh = deployment();
    fresh.fail.add('mapping.set');
    await expect(pauseSending(fresh.controls)).rejects.toThrow(
      "the schedule is DISABLED; but could not disable send-batch's queue poller: ResourceInUseException: busy",
    );
  });
});

describe('status', () => {
  it('running, paused, and partly paused when the schedule and the poller disagree', () => {
    expect(sendingState('ENABLED', 'Enabled')).toBe('running');
    expect(sendingState('DISABLED', 'Disabled')).toBe('paused');
    expect(sendingState('ENABLED', 'Disabled')).toBe('partly paused');
    expect(sendingState('DISABLED', 'Enabled')).toBe('partly paused');
    expect(sendingState('DISABLED', 'Disabling')).toBe('partly paused');
  });

  it('the next issue within the schedule’s start and end dates, in its zone', () => {
    const base: ScheduleView = {
      name: 's',
      group: 'default',
      state: 'ENABLED',
      expression: 'cron(0 7 ? * SAT *)',
      timeZone: 'Europe/London',
    };
    const now = new Date('2026-12-02T19:55:00Z');
    expect(nextIssue(base, now)).toEqual({
      kind: 'at',
      at: new Date('2026-12-05T07:00:00Z'),
      timeZone: 'Europe/London',
    });
    // Starting on a Saturday at 07:00 itself: that first time counts.
    expect(nextIssue({ ...base, startDate: new Date('2026-12-12T07:00:00Z') }, now)).toMatchObject({
      at: new Date('2026-12-12T07:00:00Z'),
    });
    expect(nextIssue({ ...base, endDate: new Date('2026-12-04T00:00:00Z') }, now)).toEqual({
      kind: 'never',
      reason: 'the schedule ends 2026-12-04T00:00:00.000Z, before it fires again',
    });
    expect(nextIssue({ ...base, expression: 'rate(7 days)' }, now)).toMatchObject({ kind: 'unknown' });
    expect(nextIssue({ ...base, expression: 'cron(0 7 * * SAT *)' }, now)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/one of day-of-month and day-of-week must be \?/),
    });
    expect(nextIssue({ ...base, flexibleWindowMinutes: 15 }, now)).toMatchObject({ flexibleWindowMinutes: 15 });
  });

  it('reads every part; one that cannot be read is said, the others still shown', async () => {
    const d = deployment({ mapping: 'Disabled' });
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-status-')));
    const report = await deploymentStatus({
      ...d.controls,
      queue: {
        depth: async () => {
          throw new Error('SQS GetQueueAttributes send: AccessDenied');
        },
      },
      store,
    });
    expect(report.sending).toBe('partly paused');
    expect(report.queue).toEqual({ ok: false, error: 'SQS GetQueueAttributes send: AccessDenied' });
    expect(report.lastIssue).toEqual({ ok: true, value: undefined });
    const lines = statusLines(report, d.controls.now());
    expect(lines[0]).toBe(
      "Sending: partly paused (the schedule is ENABLED, send-batch's queue poller is Disabled): `pinboard-digest pause` or `resume` sets both",
    );
    expect(lines).toContain('  queue: cannot be read: SQS GetQueueAttributes send: AccessDenied');
    expect(lines).toContain(
      'Next issue: Saturday 5 December 2026, 07:00 GMT, Europe/London (2026-12-05T07:00:00Z), in 2 days 11 hours',
    );
    expect(lines).toContain('Last issue: none yet');
  });
});

describe('smoke', () => {
  const FUNCTIONS = { composeIssue: 'compose', sendBatch: 'send', sesEvents: 'events', subscriptionApi: 'api' };
  const log = (...lines: unknown[]) =>
    [
      '{"time":"t","type":"platform.start","record":{"requestId":"r"}}',
      ...lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))),
      '{"time":"t","type":"platform.report","record":{"requestId":"r"}}',
    ].join('\n');
  /** Lambda as a table of answers by function name; what each was sent is kept. */
  const lambda = (answers: Record<string, InvokeAnswer | Error>) => {
    const sent = new Map<string, unknown>();
    const invoker: FunctionInvoker = {
      invoke: async (name, payload) => {
        sent.set(name, payload);
        const a = answers[name];
        if (!a || a instanceof Error) throw a ?? new Error(`Lambda Invoke ${name}: ResourceNotFoundException`);
        return a;
      },
    };
    return { invoker, sent };
  };
  const healthy: Record<string, InvokeAnswer> = {
    compose: {
      payload: { outcome: 'smoke', next: 'issue', issue: 4, subject: 'Links #4', links: 6 },
      log: log({ level: 'INFO', message: 'smoke: issue #4 would go out now', service: 'pinboard-digest' }),
    },
    send: { payload: { batchItemFailures: [] }, log: log({ level: 'INFO', message: 'smoke: an empty batch' }) },
    events: {
      payload: { suppressed: 0, counted: 0, unknown: 0, unsubscribed: 0, invalidReplies: 0, malformed: 0, ignored: 1 },
      log: log({ level: 'INFO', message: 'SES events recorded', suppressed: 0, ignored: 1 }),
    },
    api: {
      payload: { statusCode: 200, body: '<html><form method="post"></form></html>' },
      log: log({ level: 'INFO', message: 'request', method: 'GET', path: '/', status: 200, timestamp: 'x' }),
    },
  };
  const now = () => new Date('2026-12-02T20:00:00Z');

  it('sends each function the payload of its mode, and judges all four working', async () => {
    const { invoker, sent } = lambda(healthy);
    const results = await smokeDeployment({
      invoker,
      functions: FUNCTIONS,
      subscriptionApiUrl: 'https://abc.execute-api.eu-west-2.amazonaws.com/',
      now,
    });
    expect(results.map((r) => [r.label, r.ok])).toEqual([
      ['compose-issue', true],
      ['send-batch', true],
      ['ses-events', true],
      ['subscription-api', true],
    ]);
    expect(sent.get('compose')).toEqual({ source: 'pinboard-digest.smoke' });
    expect(sent.get('send')).toEqual({ Records: [] });
    const notice = (sent.get('events') as { Records: { Sns: { Message: string } }[] }).Records[0]?.Sns.Message;
    expect(JSON.parse(String(notice))).toEqual({ notificationType: 'pinboard-digest.smoke' });
    expect(sent.get('api')).toMatchObject({
      version: '2.0',
      rawPath: '/',
      headers: { host: 'abc.execute-api.eu-west-2.amazonaws.com' },
      requestContext: { http: { method: 'GET', path: '/' } },
    });
    expect(results[0]?.summary).toBe(
      'issue #4 would go out now: "Links #4", 6 links (nothing stored, enqueued or published)',
    );
    expect(results[3]?.logLine).toBe('request method=GET path=/ status=200');
    expect(smokeLines(results).at(-1)).toBe('All 4 functions answered as deployed; nothing was changed.');
  });

  it('a FunctionError, an answer not of its mode, and a function that cannot be invoked are each ✗, with why', async () => {
    const { invoker } = lambda({
      ...healthy,
      compose: {
        functionError: 'Unhandled',
        payload: { errorType: 'GetParameterError', errorMessage: "Secrets Manager can't find the specified secret." },
        log: log(
          { level: 'INFO', message: 'starting' },
          {
            level: 'ERROR',
            message: 'Invoke Error',
            errorType: 'GetParameterError',
            errorMessage: "Secrets Manager can't find the specified secret.",
            stackTrace: ['at x'],
          },
        ),
      },
      // send-batch reporting a failure for a batch with no records in it.
      send: { payload: { batchItemFailures: [{ itemIdentifier: 'x' }] }, log: log('plain text line') },
      api: new Error('Lambda Invoke api: AccessDeniedException: not authorized to perform: lambda:InvokeFunction'),
    });
    const results = await smokeDeployment({ invoker, functions: FUNCTIONS, subscriptionApiUrl: 'https://a.b/', now });
    expect(results.map((r) => r.ok)).toEqual([false, false, true, false]);
    expect(results[0]?.summary).toBe("Unhandled: GetParameterError: Secrets Manager can't find the specified secret.");
    expect(results[0]?.logLine).toBe(
      'Invoke Error errorType=GetParameterError errorMessage="Secrets Manager can\'t find the specified secret."',
    );
    expect(results[1]?.logLine).toBe('plain text line');
    expect(results[3]?.summary).toMatch(/^not invoked: Lambda Invoke api: AccessDeniedException/);
    const lines = smokeLines(results);
    expect(lines.at(-1)).toBe(
      '3 of 4 failed: compose-issue, send-batch, subscription-api. Their logs: aws logs tail /aws/lambda/compose; aws logs tail /aws/lambda/send; aws logs tail /aws/lambda/api',
    );
  });

  it('a compose-issue that ran for real (deployed before smoke existed) is ✗, saying so', async () => {
    const { invoker } = lambda({
      ...healthy,
      compose: {
        payload: { outcome: 'enqueued', issue: 5, recipients: 10 },
        log: log({ message: 'issue #5 enqueued' }),
      },
    });
    const [compose] = await smokeDeployment({ invoker, functions: FUNCTIONS, subscriptionApiUrl: 'https://a.b/', now });
    expect(compose?.ok).toBe(false);
    expect(compose?.summary).toMatch(
      /did not answer as a smoke \(outcome "enqueued"\): a deployment older than `smoke`/,
    );
  });

  it('the explaining line skips the platform records and prefers the smoke line, or the last error', () => {
    const tail = log(
      { level: 'INFO', message: 'SES account send rate: 14/s' },
      { level: 'INFO', message: 'smoke: an empty batch, nothing sent', cold_start: true },
      { level: 'INFO', message: 'metrics', _aws: {} },
    );
    expect(explainingLine(tail, false)).toBe('smoke: an empty batch, nothing sent');
    expect(explainingLine(tail, true)).toBe('metrics');
    expect(explainingLine('', false)).toBeUndefined();
    // The tail is the last 4 KB: a first line cut in half is read as text.
    expect(explainingLine(`ge":"cut"}\n${JSON.stringify({ level: 'WARN', message: 'w', n: 1 })}`, false)).toBe('w n=1');
    expect(explainingLine(JSON.stringify({ level: 'INFO', message: 'x'.repeat(500) }), false)?.length).toBe(400);
  });
});
