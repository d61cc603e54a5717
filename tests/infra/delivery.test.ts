/**
 * Issue 17 as the templates show it: each function's grants are what its code calls and no more, SES may
 * publish to its topic, every failure path ends in a dead-letter queue with an alarm, the alarms and the
 * dashboard read the metrics the functions write, and nothing pins a region that was not given.
 */
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { oldestMessageLimitSeconds, REFUSED_SHARE_THRESHOLD } from '../../infra/monitoring';
import { buildStacks } from '../../infra/stacks';
import { type DigestFunction, TABLE_ACCESS } from '../../infra/table-access';
import { LAMBDA_ENV } from '../../lambda/config';
import { planSendFleet } from '../../lambda/core/fleet';
import { METRICS } from '../../lambda/metrics';
import { deployable, fn, freshApp, type Statement, statementsOf, templates } from './build';

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

let data: Template;
let digest: Template;

beforeAll(async () => {
  ({ dataTemplate: data, digestTemplate: digest } = await templates({
    sendRate: 14,
    alarmEmail: 'author@example.com',
  }));
}, 60_000);

const FUNCTIONS: DigestFunction[] = ['ComposeIssue', 'SendBatch', 'SesEvents', 'SubscriptionApi'];

/** The data stack's export of a resource, as the digest stack imports it. */
const imported = (logicalIdPrefix: string) => ({
  'Fn::ImportValue': Match.stringLikeRegexp(`^LinksIFound-Data:ExportsOutput(Ref|FnGetAtt)${logicalIdPrefix}`),
});

describe('each function holds exactly the grants its code calls', () => {
  it.each(FUNCTIONS)('%s: its table actions by name, on the table alone', (name) => {
    const table = statementsOf(digest, name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(table).toHaveLength(1);
    expect([...actionsOf(table[0] as Statement)].sort()).toEqual([...TABLE_ACCESS[name]]);
    expect(table[0]?.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Table.*Arn/) });
  });

  it('grants no bulk, scan or stream action of the table to anyone', () => {
    const all = FUNCTIONS.flatMap((f) => statementsOf(digest, f).flatMap(actionsOf));
    for (const action of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:GetRecords', 'dynamodb:*']) {
      expect(all).not.toContain(action);
    }
  });

  it('reads secrets with GetSecretValue only, each only where its ARN is given', () => {
    for (const name of FUNCTIONS) {
      const statements = statementsOf(digest, name).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );
      for (const s of statements) expect(s.Action).toBe('secretsmanager:GetSecretValue');
      const variables = fn(digest, name).properties.Environment.Variables;
      const granted = JSON.stringify(statements.map((s) => s.Resource));
      expect(granted.includes('SigningKey')).toBe(LAMBDA_ENV.signingSecretArn in variables);
      expect(granted.includes('PinboardToken')).toBe(LAMBDA_ENV.pinboardTokenSecret in variables);
    }
  });

  it('gives the Pinboard token to compose-issue alone, and only when a source is the Pinboard API', async () => {
    const holders = FUNCTIONS.filter((f) => JSON.stringify(statementsOf(digest, f)).includes('PinboardToken'));
    expect(holders).toEqual(['ComposeIssue']);
    expect(fn(digest, 'SendBatch').properties.Environment.Variables).not.toHaveProperty(LAMBDA_ENV.pinboardTokenSecret);
    const { digestTemplate: rss } = await templates({}, deployable({ source: { type: 'pinboard-rss', user: 'me' } }));
    expect(FUNCTIONS.filter((f) => JSON.stringify(statementsOf(rss, f)).includes('PinboardToken'))).toEqual([]);
    expect(fn(rss, 'ComposeIssue').properties.Environment.Variables).not.toHaveProperty(LAMBDA_ENV.pinboardTokenSecret);
  });

  it('lets the signing key be read by those that sign or check links: compose-issue, send-batch, the API', () => {
    const readers = FUNCTIONS.filter((f) => JSON.stringify(statementsOf(digest, f)).includes('SigningKey'));
    expect(readers).toEqual(['ComposeIssue', 'SendBatch', 'SubscriptionApi']);
  });

  it('lets compose-issue and send-batch send to the queue and read its depth, the poller receive and delete', () => {
    const onQueue = (name: DigestFunction) =>
      statementsOf(digest, name)
        .filter((s) => JSON.stringify(s.Resource).includes('SendQueue'))
        .flatMap(actionsOf)
        .sort();
    expect(onQueue('ComposeIssue')).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
    expect(onQueue('SendBatch')).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(onQueue('SesEvents')).toEqual([]);
    expect(onQueue('SubscriptionApi')).toEqual([]);
  });
});

describe('SES events reach ses-events', () => {
  it("lets SES publish to the events topic for this account's configuration set only", () => {
    const [topicId] = Object.keys(
      digest.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('SES') } }),
    );
    digest.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          {
            Sid: 'SesEventPublishing',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Resource: { Ref: topicId },
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ses:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':configuration-set/',
                      imported('ConfigurationSet'),
                    ],
                  ],
                },
              },
            },
          },
        ]),
      }),
    });
    // The event destination is made only once SES may publish (SES checks when it is created).
    const [destination] = Object.values(digest.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destination?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SesEventsTopicPolicy/)]));
  });
});

describe('dead-letter queues', () => {
  const queueId = (prefix: string) => {
    const id = Object.keys(digest.findResources('AWS::SQS::Queue')).find((k) => k.startsWith(prefix));
    if (!id) throw new Error(`no queue ${prefix}`);
    return id;
  };

  it('are encrypted, TLS only and keep messages 14 days', () => {
    const queues = [
      ...Object.entries(digest.findResources('AWS::SQS::Queue')),
      ...Object.entries(data.findResources('AWS::SQS::Queue')).filter(([id]) => id.startsWith('SendDeadLetters')),
    ];
    expect(queues.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ScheduleDeadLetters',
      'SendDeadLetters',
      'SesEventsDeadLetters',
    ]);
    for (const [, q] of queues) {
      expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    }
    for (const t of [digest, data]) {
      for (const p of Object.values(t.findResources('AWS::SQS::QueuePolicy'))) {
        expect(p.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    }
  });

  it('take SES notices SNS cannot deliver, and ses-events invocations that fail every retry', () => {
    const dlq = queueId('SesEventsDeadLetters');
    digest.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    });
    digest.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlq }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'sns.amazonaws.com' } }),
        ]),
      }),
    });
    digest.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn(digest, 'SesEvents').id },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    expect(statementsOf(digest, 'SesEvents')).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }),
    );
  });

  it('take schedule ticks Scheduler cannot deliver, and compose-issue invocations that fail every retry', () => {
    const dlq = queueId('ScheduleDeadLetters');
    digest.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } } }),
    });
    digest.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn(digest, 'ComposeIssue').id },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    const schedulerPolicy = Object.entries(digest.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('SchedulerRoleForTarget'),
    );
    expect(schedulerPolicy?.[1].Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }),
    );
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(digest.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const named = (suffix: string) => {
    const a = alarms().find((p) => p.AlarmName === `LinksIFound-Digest-${suffix}`);
    if (!a) throw new Error(`no alarm ${suffix}`);
    return a;
  };

  it('all go to the alarms topic', () => {
    const [topicId] = Object.keys(
      digest.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('alarms') } }),
    );
    for (const a of alarms()) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('fire when more than 2 % of the hour’s sends were refused, and not for an hour without sends', () => {
    const a = named('RefusedSends');
    expect(a).toMatchObject({ Threshold: REFUSED_SHARE_THRESHOLD, ComparisonOperator: 'GreaterThanThreshold' });
    const [expression, ...inputs] = a.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: {
        Metric: { Namespace: string; MetricName: string; Dimensions?: unknown };
        Period: number;
        Stat: string;
      };
    }[];
    expect(expression?.Expression).toBe(
      'IF(FILL(sent, 0) + FILL(refused, 0) > 0, FILL(refused, 0) / (FILL(sent, 0) + FILL(refused, 0)), 0)',
    );
    expect(
      inputs.map((m) => [m.Id, m.MetricStat?.Metric.MetricName, m.MetricStat?.Stat, m.MetricStat?.Period]),
    ).toEqual([
      ['sent', METRICS.sent, 'Sum', 3600],
      ['refused', METRICS.refused, 'Sum', 3600],
    ]);
    for (const m of inputs) {
      expect(m.MetricStat?.Metric.Namespace).toBe('PinboardDigest/LinksIFound'); // as DIGEST_METRICS_NAMESPACE says
      expect(m.MetricStat?.Metric.Dimensions).toBeUndefined(); // the functions write none
    }
    expect(fn(digest, 'SendBatch').properties.Environment.Variables[LAMBDA_ENV.metricsNamespace]).toBe(
      'PinboardDigest/LinksIFound',
    );
  });

  it('stay in alarm while dead letters sit in any DLQ, even once SQS stops publishing', () => {
    const queueOf = (a: { Dimensions: { Name: string; Value: unknown }[] }) => JSON.stringify(a.Dimensions[0]?.Value);
    expect(queueOf(named('SendDeadLetters'))).toMatch(/SendDeadLetters/);
    expect(queueOf(named('ScheduleDeadLetters'))).toMatch(/ScheduleDeadLetters/);
    expect(queueOf(named('SesEventsDeadLetters'))).toMatch(/SesEventsDeadLetters/);
    for (const suffix of ['SendDeadLetters', 'ScheduleDeadLetters', 'SesEventsDeadLetters']) {
      expect(named(suffix)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
      });
    }
  });

  it('fire when the oldest send batch is older than an issue should take at the rate', () => {
    const a = named('SendQueueOldestMessage');
    expect(a).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: oldestMessageLimitSeconds(planSendFleet(14), 14),
      TreatMissingData: 'ignore',
    });
    expect(JSON.stringify(a.Dimensions)).toMatch(/SendQueue/);
  });

  it('size the oldest-message limit from deploy.expectedSubscribers', async () => {
    const deploy = { expectedSubscribers: 200_000 };
    const { digestTemplate: big } = await templates({ sendRate: 14 }, deployable({ deploy }));
    const a = Object.values(big.findResources('AWS::CloudWatch::Alarm')).find(
      (r) => r.Properties.MetricName === 'ApproximateAgeOfOldestMessage',
    );
    expect(a?.Properties.Threshold).toBe(oldestMessageLimitSeconds(planSendFleet(14), 14, 200_000));
  });

  it('watch the errors of each function', () => {
    for (const name of FUNCTIONS) {
      expect(named(`${name}Errors`).Dimensions).toEqual([
        { Name: 'FunctionName', Value: { Ref: fn(digest, name).id } },
      ]);
    }
  });

  it('are required: no address and no alarms=none refuses; the config may give the address; none warns', async () => {
    await expect(buildStacks(freshApp(), deployable())).rejects.toThrow(/no alarm destination/);
    const { digestTemplate: viaConfig } = await templates(
      {},
      deployable({ deploy: { alarmEmail: 'ops@example.com' } }),
    );
    viaConfig.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const { digest: silent, warnings } = await templates({ alarms: 'none' });
    expect(warnings).toEqual([expect.stringMatching(/reach nobody/)]);
    Annotations.fromStack(silent).hasWarning('*', Match.stringLikeRegexp('reach nobody'));
  });
});

describe('the dashboard', () => {
  it("shows one issue's journey: enqueued, sent, refused, throttled, queue depth, dead letters, errors", () => {
    const [dashboard] = Object.values(digest.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard?.Properties.DashboardName).toBe('LinksIFound-Digest-IssueJourney');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metric of [METRICS.enqueued, METRICS.sent, METRICS.refused, METRICS.throttled]) {
      expect(body).toContain(`\\"PinboardDigest/LinksIFound\\",\\"${metric}\\"`);
    }
    expect(body).toContain('\\"period\\":60');
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible']) {
      expect(body).toContain(metric);
    }
    for (const queue of ['SendQueue', 'SendDeadLetters', 'ScheduleDeadLetters', 'SesEventsDeadLetters']) {
      expect(body).toMatch(new RegExp(queue));
    }
    expect(body.match(/\\"AWS\/Lambda\\",\\"Errors\\"/g)).toHaveLength(4);
  });
});

describe('region and account', () => {
  it('pins no region when none was given: every ARN and name comes from AWS::Region', async () => {
    const agnostic = await templates({});
    for (const t of [agnostic.dataTemplate, agnostic.digestTemplate]) {
      expect(JSON.stringify(t.toJSON().Resources)).not.toMatch(/(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d/);
    }
    expect(JSON.stringify(agnostic.digestTemplate.toJSON().Resources)).toContain('"Ref":"AWS::Region"');
  });

  it('uses the region and account it is given', async () => {
    const { digestTemplate: t } = await templates({ env: { region: 'eu-west-1', account: '123456789012' } });
    const sendBatch = JSON.stringify(statementsOf(t, 'SendBatch'));
    expect(sendBatch).toContain(':ses:eu-west-1:123456789012:identity/links.example.com');
  });
});
