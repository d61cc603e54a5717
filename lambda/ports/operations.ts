/**
 * What operating a deployment goes through (`smoke`, `pause`, `resume`, `status`): the deployed functions
 * invoked, the schedule that composes issues, send-batch's queue poller, and the send queue's depth. Each is
 * bound to the deployment's own resource where it is built (lambda/wiring/operate.ts); jobs/operate.ts holds
 * the rules over them.
 */

/** What one synchronous invocation answered. */
export interface InvokeAnswer {
  /** Set when the function failed (Lambda's `FunctionError`, e.g. `Unhandled`): `payload` is then the error. */
  functionError?: string;
  /** The function's result, parsed from JSON (or the text, if it is not JSON). */
  payload: unknown;
  /** The invocation's log, or its last 4 KB, as Lambda returns it with LogType=Tail. */
  log: string;
}

export interface FunctionInvoker {
  /** Invokes `functionName` with `payload` and waits for its answer; an API error (not found, denied) throws. */
  invoke(functionName: string, payload: unknown): Promise<InvokeAnswer>;
}

export type ScheduleState = 'ENABLED' | 'DISABLED';

export interface ScheduleView {
  name: string;
  group: string;
  state: ScheduleState;
  /** `cron(…)`, `rate(…)` or `at(…)`. */
  expression: string;
  /** The IANA zone the expression is read in (Scheduler's default is UTC). */
  timeZone: string;
  startDate?: Date;
  endDate?: Date;
  /** Minutes after each time within which it may fire (a flexible window); absent: on the minute. */
  flexibleWindowMinutes?: number;
}

export interface ScheduleControl {
  get(): Promise<ScheduleView>;
  /** Sets the state, keeping every other setting of the schedule as it is. */
  setState(state: ScheduleState): Promise<void>;
}

/** Lambda's states of an event source mapping (`Enabled`, `Disabled`, and the moves between them). */
export type MappingState = 'Enabled' | 'Disabled' | 'Enabling' | 'Disabling' | 'Creating' | 'Updating' | 'Deleting';

export interface MappingView {
  state: MappingState;
  /** Why it is in that state, as Lambda says (`USER_INITIATED`, a problem it met). */
  reason?: string;
}

export interface EventSourceControl {
  get(): Promise<MappingView>;
  /** Asks Lambda to start or stop polling; answers the state it moved to (often `Enabling`/`Disabling`). */
  setEnabled(enabled: boolean): Promise<MappingView>;
}

export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  /** Received by a consumer and not yet deleted: being sent now (or by a run that died, until it times out). */
  inFlight: number;
  /** Held back: sent with a delay (a batch the day's SES quota could not cover). */
  delayed: number;
  /** How long the queue keeps a message before dropping it. */
  retentionSeconds?: number;
}

export interface QueueStats {
  depth(): Promise<QueueDepth>;
}
