/**
 * Every way an issue can fail to reach its readers, as an alarm on the alarms topic, and a dashboard of one
 * issue's journey (enqueued → sent per minute → refused and throttled; the queue draining; dead letters;
 * errors). The digest's own metrics (lambda/metrics.ts) are written by the functions without dimensions into
 * `namespace`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FleetPlan } from '../lambda/core/fleet';
import { METRICS, type MetricName } from '../lambda/metrics';
import type { DigestFunction } from './table-access';

/** Refused sends above this share of an issue's sends (MessageRejected, InvalidParameterValue…) alarm. */
export const REFUSED_SHARE_THRESHOLD = 0.02;
/** The list size the oldest-message alarm allows time for, unless the config's `deploy.expectedSubscribers` says. */
export const DEFAULT_EXPECTED_SUBSCRIBERS = 10_000;

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * How old the oldest message on the send queue may get before it alarms: the time `subscribers` recipients
 * take at the send rate (the fleet shares the rate, so a whole issue drains in subscribers ÷ rate), half again
 * for throttling and slow answers, plus one visibility timeout (a batch that failed once comes back only after
 * it). At least an hour, so a small list's one retried batch is no alarm; at most a day, since an issue not out
 * after a day is stuck whatever its size. Messages held back for the daily quota are re-sent as new messages,
 * so waiting for the quota does not age them.
 */
export function oldestMessageLimitSeconds(
  fleet: Pick<FleetPlan, 'visibilityTimeoutSeconds'>,
  sendRate: number,
  subscribers = DEFAULT_EXPECTED_SUBSCRIBERS,
): number {
  const drain = subscribers / sendRate;
  return Math.min(DAY, Math.max(HOUR, Math.ceil(1.5 * drain + fleet.visibilityTimeoutSeconds)));
}

export interface DeadLetterQueues {
  /** Send batches that failed every receive. */
  send: sqs.IQueue;
  /** Schedule ticks that Scheduler could not deliver, and compose-issue invocations that failed every retry. */
  schedule: sqs.IQueue;
  /** SES notifications SNS could not deliver, and ses-events invocations that failed every retry. */
  sesEvents: sqs.IQueue;
}

export interface MonitoringProps {
  topic: sns.ITopic;
  namespace: string;
  functions: Record<DigestFunction, lambda.IFunction>;
  sendQueue: sqs.IQueue;
  deadLetters: DeadLetterQueues;
  /** Threshold of the send queue's ApproximateAgeOfOldestMessage (see oldestMessageLimitSeconds). */
  oldestMessageSeconds: number;
}

interface AlarmOptions {
  threshold: number;
  description: string;
  comparison?: cloudwatch.ComparisonOperator;
  missing?: cloudwatch.TreatMissingData;
}

export class DigestMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const digest = (metricName: MetricName, period: Duration, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace: props.namespace, metricName, period, statistic });
    const alarm = (name: string, metric: cloudwatch.IMetric, o: AlarmOptions) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmName: `${stackName}-${name}`,
        metric,
        threshold: o.threshold,
        evaluationPeriods: 1,
        comparisonOperator: o.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: o.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: o.description,
      });
      a.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(a);
      return a;
    };

    // Refused for good (recorded, not retried; the issue still counts as sent): their share of the hour's
    // sends. FILL makes an hour with only sends, or only refusals, a number; no sends at all is 0, not 0 ÷ 0.
    const hour = Duration.hours(1);
    alarm(
      'RefusedSends',
      new cloudwatch.MathExpression({
        label: 'refused share of sends',
        expression:
          'IF(FILL(sent, 0) + FILL(refused, 0) > 0, FILL(refused, 0) / (FILL(sent, 0) + FILL(refused, 0)), 0)',
        usingMetrics: { sent: digest(METRICS.sent, hour), refused: digest(METRICS.refused, hour) },
        period: hour,
      }),
      {
        threshold: REFUSED_SHARE_THRESHOLD,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `More than ${REFUSED_SHARE_THRESHOLD * 100} % of the hour's sends were refused by SES for good (MessageRejected, InvalidParameterValue): those readers did not get the issue. The send-batch log names the reason`,
      },
    );

    // A dead letter stays until someone acts. SQS stops publishing a queue's metrics once it has been idle for
    // six hours (no call touches it), even with messages in it: missing data must keep the alarm where it is
    // (IGNORE), or it would fall back to OK while the messages still sit there.
    const deadLetter = (name: string, queue: sqs.IQueue, what: string) =>
      alarm(
        name,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        { threshold: 1, missing: cloudwatch.TreatMissingData.IGNORE, description: what },
      );
    deadLetter(
      'SendDeadLetters',
      props.deadLetters.send,
      'Send batches reached the dead-letter queue: read the send-batch logs, fix, then redrive (README: Operate on AWS)',
    );
    deadLetter(
      'ScheduleDeadLetters',
      props.deadLetters.schedule,
      'A scheduled issue did not run: the schedule could not invoke compose-issue, or compose-issue failed all its retries. Read its log, fix, then invoke it (README: Operate on AWS)',
    );
    deadLetter(
      'SesEventsDeadLetters',
      props.deadLetters.sesEvents,
      'SES bounce or complaint notices were not recorded: those addresses are not suppressed. Read the ses-events log, fix, then redrive',
    );
    alarm(
      'SendQueueOldestMessage',
      props.sendQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      {
        threshold: props.oldestMessageSeconds,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.IGNORE,
        description: `A send batch has waited over ${Math.round(props.oldestMessageSeconds / 60)} minutes, longer than an issue should take at the configured rate: the sends are stuck or far slower than planned`,
      },
    );

    for (const [name, f] of Object.entries(props.functions)) {
      const five = { period: Duration.minutes(5) };
      alarm(`${name}Errors`, f.metricErrors(five), { threshold: 1, description: `${name} failed` });
      alarm(`${name}Throttles`, f.metricThrottles(five), { threshold: 1, description: `${name} was throttled` });
    }
    const ses = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, period: hour, statistic: 'Maximum' });
    alarm('BounceRate', ses('Reputation.BounceRate'), {
      threshold: 0.05,
      description: 'SES bounce rate ≥ 5 %: SES reviews at 5 %, may pause at 10 %',
    });
    alarm('ComplaintRate', ses('Reputation.ComplaintRate'), {
      threshold: 0.001,
      description: 'SES complaint rate ≥ 0.1 %: SES reviews at 0.1 %, may pause at 0.5 %',
    });
    alarm('QuotaUsed', digest(METRICS.quotaUsedRatio, Duration.minutes(15), 'Maximum'), {
      threshold: 0.9,
      description:
        '90 % of the SES 24-hour quota is used: the rest of the issue waits on the queue until the quota frees',
    });

    this.dashboard = this.journey(stackName, props, digest);
  }

  /** One issue's journey, minute by minute. */
  private journey(
    stackName: string,
    props: MonitoringProps,
    digest: (name: MetricName, period: Duration, statistic?: string) => cloudwatch.Metric,
  ): cloudwatch.Dashboard {
    const minute = Duration.minutes(1);
    const perMinute = (name: MetricName, label: string) => digest(name, minute).with({ label });
    const maxPerMinute = (metric: cloudwatch.Metric, label: string) =>
      metric.with({ period: minute, statistic: 'Maximum', label });
    const graph = (title: string, left: cloudwatch.IMetric[], stacked = false) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, stacked });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stackName}-IssueJourney`,
      defaultInterval: Duration.hours(3),
    });
    const queue = props.sendQueue;
    dashboard.addWidgets(
      graph('Recipients enqueued and messages sent, per minute', [
        perMinute(METRICS.enqueued, 'enqueued (compose-issue)'),
        perMinute(METRICS.sent, 'sent (SES accepted)'),
      ]),
      graph('Refused, throttled and left unsent, per minute', [
        perMinute(METRICS.refused, 'refused for good'),
        perMinute(METRICS.throttled, 'throttled by SES (retried)'),
        perMinute(METRICS.unsent, 'unsent (batch comes back)'),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Send queue depth (batches of up to 50 recipients)',
        [
          maxPerMinute(queue.metricApproximateNumberOfMessagesVisible(), 'waiting'),
          maxPerMinute(queue.metricApproximateNumberOfMessagesNotVisible(), 'being sent'),
          maxPerMinute(queue.metricApproximateNumberOfMessagesDelayed(), 'held for the quota'),
        ],
        true,
      ),
      graph(
        'Dead letters',
        Object.entries(props.deadLetters).map(([name, q]) =>
          maxPerMinute(q.metricApproximateNumberOfMessagesVisible(), name),
        ),
      ),
    );
    dashboard.addWidgets(
      graph(
        'Function errors',
        Object.entries(props.functions).map(([name, f]) => f.metricErrors({ period: minute, label: name })),
      ),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12, height: 6 }),
    );
    return dashboard;
  }
}
