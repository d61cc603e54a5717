import { updateFrom } from '../../../lambda/adapters/aws-control/scheduler';

describe('the schedule switched on or off', () => {
  const current = {
    $metadata: {},
    Arn: 'arn:aws:scheduler:eu-west-2:111122223333:schedule/default/digest',
    Name: 'digest',
    GroupName: 'default',
    ScheduleExpression: 'cron(0 7 ? * SAT *)',
    ScheduleExpressionTimezone: 'Europe/London',
    StartDate: new Date('2026-01-01T00:00:00Z'),
    EndDate: new Date('2030-01-01T00:00:00Z'),
    Description: 'Composes and sends the next issue',
    State: 'ENABLED' as const,
    CreationDate: new Date('2026-11-01T00:00:00Z'),
    LastModificationDate: new Date('2026-11-02T00:00:00Z'),
    KmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/k',
    Target: {
      Arn: 'arn:aws:lambda:eu-west-2:111122223333:function:compose',
      RoleArn: 'arn:aws:iam::111122223333:role/scheduler',
      Input: '{"source":"pinboard-digest.schedule"}',
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-2:111122223333:dlq' },
    },
    FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const, MaximumWindowInMinutes: 15 },
    ActionAfterCompletion: 'NONE' as const,
  };

  it('sends back every field UpdateSchedule takes, as GetSchedule gave it, with only the state changed', () => {
    const { $metadata: _, Arn: _arn, CreationDate: _c, LastModificationDate: _m, ...settable } = current;
    expect(updateFrom(current, 'DISABLED')).toEqual({ ...settable, State: 'DISABLED' });
  });

  it('refuses to update a schedule GetSchedule did not describe whole', () => {
    const { Target: _, ...partial } = current;
    expect(() => updateFrom(partial, 'DISABLED')).toThrow(/without its name, expression, target or time window/);
  });
});
