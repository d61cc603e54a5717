/**
 * EventBridge Scheduler's API on 127.0.0.1 (rest-json, behind the IAM front), over the schedules the templates
 * declare: GET /schedules/{name}?groupName=… (GetSchedule) and PUT /schedules/{name} (UpdateSchedule).
 *
 * UpdateSchedule replaces the schedule as AWS does: what the request leaves out is gone (the time zone back to
 * UTC, the description, the target's input), what it must carry (ScheduleExpression, FlexibleTimeWindow,
 * Target with Arn and RoleArn) is refused when missing. The harness's schedule ticks read the schedule from
 * here, so a DISABLED schedule does not fire and a target that lost its input fires without it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Schedule {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Description?: string;
  State: 'ENABLED' | 'DISABLED';
  StartDate?: number;
  EndDate?: number;
  KmsKeyArn?: string;
  ActionAfterCompletion?: string;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  Target: { Arn: string; RoleArn: string; Input?: string; [key: string]: unknown };
  /** Epoch seconds, as the protocol sends timestamps. */
  CreationDate: number;
  LastModificationDate: number;
}

const REPLACED = [
  'ScheduleExpression',
  'ScheduleExpressionTimezone',
  'Description',
  'State',
  'StartDate',
  'EndDate',
  'KmsKeyArn',
  'ActionAfterCompletion',
  'FlexibleTimeWindow',
  'Target',
] as const;

export async function startSchedulerApi(initial: readonly Schedule[]) {
  const schedules = new Map(initial.map((s) => [`${s.GroupName}/${s.Name}`, { ...s }]));
  const updates: Record<string, unknown>[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = (status: number, type: string, message: string) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
          .end(JSON.stringify({ Message: message }));
      const json = (value: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      try {
        const url = new URL(req.url ?? '/', 'http://local');
        const m = /^\/schedules\/([^/]+)$/.exec(url.pathname);
        if (!m) return fail(400, 'ValidationException', `${req.method} ${url.pathname} is not served here`);
        const name = decodeURIComponent(m[1] as string);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        const group = String((req.method === 'GET' ? url.searchParams.get('groupName') : body.GroupName) ?? 'default');
        const key = `${group}/${name}`;
        const current = schedules.get(key);
        if (!current) return fail(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        if (req.method === 'GET') return json(current);
        if (req.method !== 'PUT') return fail(400, 'ValidationException', `${req.method} is not served here`);
        const target = body.Target as Schedule['Target'] | undefined;
        const missing = [
          body.ScheduleExpression ? '' : 'ScheduleExpression',
          body.FlexibleTimeWindow ? '' : 'FlexibleTimeWindow',
          target?.Arn && target.RoleArn ? '' : 'Target (Arn, RoleArn)',
        ].filter(Boolean);
        if (missing.length > 0) return fail(400, 'ValidationException', `missing: ${missing.join(', ')}`);
        updates.push(body);
        const next: Schedule = {
          Arn: current.Arn,
          Name: current.Name,
          GroupName: current.GroupName,
          CreationDate: current.CreationDate,
          LastModificationDate: Date.now() / 1000,
          State: 'ENABLED',
        } as Schedule;
        for (const k of REPLACED) if (body[k] !== undefined) (next as unknown as Record<string, unknown>)[k] = body[k];
        schedules.set(key, next);
        json({ ScheduleArn: current.Arn });
      } catch (error) {
        fail(500, 'InternalServerException', (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schedules,
    /** Every UpdateSchedule body, in order. */
    updates,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
