/**
 * Pausing, resuming and reading the state of a deployment's sending, over the operations ports.
 *
 * Two things send on AWS: the schedule, which composes an issue and puts its batches on the send queue, and
 * send-batch's queue poller (its SQS event source mapping), which takes batches off it and mails them.
 *
 * - `pause` stops the schedule first (no new issue starts), then the poller (no batch is sent; one in flight
 *   finishes). It waits until Lambda says the poller is disabled. Batches stay on the queue, nothing is lost
 *   while the queue keeps them (its retention period).
 * - `resume` starts the poller first, so the queued batches go out and an issue the schedule composes next finds
 *   its sender running, then the schedule.
 * - `status` reads both (paused, running, or partly paused when they disagree), the queue, when the schedule
 *   fires next in its time zone, and the last issue's figures from the table.
 *
 * A step that is already where it should be is left alone. A step that fails stops the run with what was done.
 */
import { CronError, nextFireTime, parseScheduleExpression } from '../core/cron';
import { DigestError } from '../core/errors';
import type {
  EventSourceControl,
  MappingState,
  MappingView,
  QueueDepth,
  QueueStats,
  ScheduleControl,
  ScheduleState,
  ScheduleView,
} from '../ports/operations';
import { type IssueFigures, issueHistory } from './issue-history';

/** A pause or resume that stopped part way: the message says what was done and what was not. */
export class OperationError extends DigestError {}

export interface SendingControls {
  schedule: ScheduleControl;
  eventSource: EventSourceControl;
  queue: QueueStats;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** How long to wait for Lambda to finish enabling or disabling the poller (default 60 s). */
  settleMs?: number;
}

export interface Change<S> {
  before: S;
  after: S;
}

export interface PauseOutcome {
  schedule: Change<ScheduleState> & { name: string };
  eventSource: Change<MappingState>;
  queue: QueueDepth;
}

const SETTLED: ReadonlySet<MappingState> = new Set(['Enabled', 'Disabled']);
const POLL_MS = 1000;

/** Polls the mapping until it is Enabled or Disabled, or `settleMs` passed; answers what it last saw. */
async function settle(deps: SendingControls, seen: MappingView): Promise<MappingView> {
  const deadline = deps.now().getTime() + (deps.settleMs ?? 60_000);
  let view = seen;
  while (!SETTLED.has(view.state) && deps.now().getTime() < deadline) {
    await deps.sleep(POLL_MS);
    view = await deps.eventSource.get();
  }
  return view;
}

async function step<T>(what: string, done: string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const so = done.length > 0 ? `${done.join('; ')}; but ` : '';
    throw new OperationError(`${so}could not ${what}: ${(error as Error).message}`, { cause: error });
  }
}

async function setSchedule(deps: SendingControls, want: ScheduleState, done: string[]) {
  const before = await step('read the schedule', done, () => deps.schedule.get());
  if (before.state !== want) {
    await step(`set the schedule ${before.name} ${want}`, done, () => deps.schedule.setState(want));
    done.push(`the schedule is ${want}`);
  }
  return { name: before.name, before: before.state, after: want };
}

async function setPoller(deps: SendingControls, enabled: boolean, done: string[]) {
  const want: MappingState = enabled ? 'Enabled' : 'Disabled';
  const moving: MappingState = enabled ? 'Enabling' : 'Disabling';
  const before = await step("read send-batch's queue poller", done, () => deps.eventSource.get());
  let view = before;
  if (before.state !== want && before.state !== moving) {
    view = await step(`${enabled ? 'enable' : 'disable'} send-batch's queue poller`, done, () =>
      deps.eventSource.setEnabled(enabled),
    );
  }
  view = await step("read send-batch's queue poller", done, () => settle(deps, view));
  done.push(`send-batch's queue poller is ${view.state}`);
  return { before: before.state, after: view.state };
}

/** Stops sending: the schedule, then the queue poller; the queue's depth after. */
export async function pauseSending(deps: SendingControls): Promise<PauseOutcome> {
  const done: string[] = [];
  const schedule = await setSchedule(deps, 'DISABLED', done);
  const eventSource = await setPoller(deps, false, done);
  const queue = await step('read the send queue', done, () => deps.queue.depth());
  return { schedule, eventSource, queue };
}

export interface ResumeOutcome extends PauseOutcome {
  /** When the schedule fires next, now that it runs again. */
  next: NextIssue;
}

/** Starts sending again: the queue poller (the queued batches flow), then the schedule. */
export async function resumeSending(deps: SendingControls): Promise<ResumeOutcome> {
  const done: string[] = [];
  // What was queued while paused: read before the poller starts taking it.
  const queue = await step('read the send queue', done, () => deps.queue.depth());
  const eventSource = await setPoller(deps, true, done);
  const schedule = await setSchedule(deps, 'ENABLED', done);
  const view = await step('read the schedule', done, () => deps.schedule.get());
  return { schedule, eventSource, queue, next: nextIssue(view, deps.now()) };
}

export type Sending = 'running' | 'paused' | 'partly paused';

/** Running: both on. Paused: both off. Anything else, or a poller on its way between the two: partly. */
export function sendingState(schedule: ScheduleState, mapping: MappingState): Sending {
  if (schedule === 'ENABLED' && mapping === 'Enabled') return 'running';
  if (schedule === 'DISABLED' && mapping === 'Disabled') return 'paused';
  return 'partly paused';
}

export type NextIssue =
  | { kind: 'at'; at: Date; timeZone: string; flexibleWindowMinutes?: number }
  | { kind: 'never'; reason: string }
  | { kind: 'unknown'; reason: string };

/** When the schedule fires next after `now`, within its start and end dates. */
export function nextIssue(view: ScheduleView, now: Date): NextIssue {
  let expression: ReturnType<typeof parseScheduleExpression>;
  try {
    expression = parseScheduleExpression(view.expression);
  } catch (error) {
    if (error instanceof CronError) return { kind: 'unknown', reason: error.message };
    throw error;
  }
  // Before its start date a schedule does not fire: the first time is the first at or after it.
  const from = view.startDate && view.startDate > now ? new Date(view.startDate.getTime() - 1) : now;
  let next: { at?: Date; unknown?: string };
  try {
    next = nextFireTime(expression, from, view.timeZone);
  } catch (error) {
    if (error instanceof CronError) return { kind: 'unknown', reason: error.message };
    throw error;
  }
  if (next.unknown) return { kind: 'unknown', reason: next.unknown };
  if (!next.at) return { kind: 'never', reason: `${view.expression} does not fire again` };
  if (view.endDate && next.at > view.endDate) {
    return { kind: 'never', reason: `the schedule ends ${view.endDate.toISOString()}, before it fires again` };
  }
  return {
    kind: 'at',
    at: next.at,
    timeZone: view.timeZone,
    ...(view.flexibleWindowMinutes ? { flexibleWindowMinutes: view.flexibleWindowMinutes } : {}),
  };
}

/** One part of the status, or why it could not be read. */
export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export interface DeploymentStatus {
  sending?: Sending;
  schedule: Part<ScheduleView>;
  eventSource: Part<MappingView>;
  queue: Part<QueueDepth>;
  /** When the schedule fires next (even while paused: what resuming brings back). */
  next?: NextIssue;
  /** The newest issue and its figures; `undefined` value: no issue yet. */
  lastIssue: Part<IssueFigures | undefined>;
}

export interface StatusDeps {
  schedule: ScheduleControl;
  eventSource: EventSourceControl;
  queue: QueueStats;
  /** The deployed table, read through the issue history (`issues list`'s figures). */
  store: Parameters<typeof issueHistory>[0];
  now: () => Date;
}

const part = async <T>(read: () => Promise<T>): Promise<Part<T>> => {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
};

/** Every part read at once; a part that cannot be read is reported, not fatal to the others. */
export async function deploymentStatus(deps: StatusDeps): Promise<DeploymentStatus> {
  const [schedule, eventSource, queue, lastIssue] = await Promise.all([
    part(() => deps.schedule.get()),
    part(() => deps.eventSource.get()),
    part(() => deps.queue.depth()),
    part(async () => (await issueHistory(deps.store)).at(-1)),
  ]);
  return {
    ...(schedule.ok && eventSource.ok ? { sending: sendingState(schedule.value.state, eventSource.value.state) } : {}),
    schedule,
    eventSource,
    queue,
    ...(schedule.ok ? { next: nextIssue(schedule.value, deps.now()) } : {}),
    lastIssue,
  };
}
