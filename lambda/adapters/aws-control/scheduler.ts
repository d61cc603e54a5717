/**
 * EventBridge Scheduler's API for the deployment's schedule: GetSchedule, and UpdateSchedule to switch it on
 * or off. UpdateSchedule replaces the whole schedule (a field left out is reset, the time zone to UTC, the
 * target's input to none), so the state is changed on a copy of every field GetSchedule returned.
 */
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { ScheduleControl, ScheduleState, ScheduleView } from '../../ports/operations';
import { awsCall } from './errors';

/** Every field UpdateSchedule takes, from what GetSchedule answered, with the state changed. */
export function updateFrom(current: GetScheduleCommandOutput, state: ScheduleState): UpdateScheduleCommandInput {
  const { Name, GroupName, ScheduleExpression, Target, FlexibleTimeWindow } = current;
  if (!Name || !ScheduleExpression || !Target || !FlexibleTimeWindow) {
    throw new Error(`GetSchedule answered without its name, expression, target or time window: cannot update it`);
  }
  return {
    Name,
    GroupName,
    ScheduleExpression,
    ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
    StartDate: current.StartDate,
    EndDate: current.EndDate,
    Description: current.Description,
    KmsKeyArn: current.KmsKeyArn,
    Target,
    FlexibleTimeWindow,
    ActionAfterCompletion: current.ActionAfterCompletion,
    State: state,
  };
}

export class SchedulerSchedule implements ScheduleControl {
  constructor(
    private readonly client: SchedulerClient,
    private readonly name: string,
    private readonly group: string,
  ) {}

  private read(): Promise<GetScheduleCommandOutput> {
    return awsCall(`Scheduler GetSchedule ${this.group}/${this.name}`, () =>
      this.client.send(new GetScheduleCommand({ Name: this.name, GroupName: this.group })),
    );
  }

  async get(): Promise<ScheduleView> {
    const s = await this.read();
    const flexible =
      s.FlexibleTimeWindow?.Mode === 'FLEXIBLE' ? s.FlexibleTimeWindow.MaximumWindowInMinutes : undefined;
    return {
      name: s.Name ?? this.name,
      group: s.GroupName ?? this.group,
      state: s.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      expression: s.ScheduleExpression ?? '',
      timeZone: s.ScheduleExpressionTimezone || 'UTC',
      ...(s.StartDate ? { startDate: s.StartDate } : {}),
      ...(s.EndDate ? { endDate: s.EndDate } : {}),
      ...(flexible ? { flexibleWindowMinutes: flexible } : {}),
    };
  }

  async setState(state: ScheduleState): Promise<void> {
    const current = await this.read();
    await awsCall(`Scheduler UpdateSchedule ${this.group}/${this.name}`, async () =>
      this.client.send(new UpdateScheduleCommand(updateFrom(current, state))),
    );
  }
}
