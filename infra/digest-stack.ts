/**
 * The code half: the functions, their schedule and event sources, and the alarms. It takes every stateful
 * resource from the data stack by typed props.
 *
 *   EventBridge Scheduler (cron, timezone) → compose-issue → SQS send queue (subscriber batches)
 *     → send-batch (max concurrency sized from the SES rate; partial batch failures; DLQ) → SES
 *   SES configuration set → SNS → ses-events (bounces and complaints suppress addresses)
 *   HTTP API (throttled) → subscription-api: signup page, subscribe, confirm, unsubscribe (RFC 8058 one-click)
 */
import path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SnsEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { FleetPlan } from '../lambda/core/fleet';
import { LAMBDA_ENV } from '../lambda/env';
import { BUNDLE_FILE_NAME } from '../lambda/handlers/bundle';
import type { DataStack } from './data-stack';
import { DigestSite } from './site';
import { UnsubscribeReplies } from './unsubscribe-replies';

export interface DigestStackProps extends StackProps {
  data: DataStack;
  fleet: FleetPlan;
  /** The SES rate the fleet is sized for (messages/s). */
  sendRate: number;
  /** EventBridge Scheduler cron fields (`0 7 ? * SAT *`) and IANA time zone. */
  schedule: { cron: string; timezone: string };
  /** Domain of the From address: the only SES identity the functions may send as. */
  senderDomain: string;
  /** The compiled templates and config (see infra/bundle-file.ts), copied into every function. */
  bundleFile: string;
  /** Mailed when an alarm fires, if given. */
  alarmEmail?: string;
  /** Namespace of the digest's own CloudWatch metrics. */
  metricsNamespace: string;
  /** Encrypt the SES-events and alarm topics with a customer KMS key ($1/month). */
  encryptTopics?: boolean;
  /** SES receives the replies to this List-Unsubscribe mailbox (config `subscriptions.receiveReplies`). */
  unsubscribeMailbox?: string;
}

const ROOT = path.resolve(__dirname, '..');

/**
 * The subscription API's stage throttle: steady requests per second and burst. A sign-up page needs a few a
 * minute; this caps what a flood can cost (Lambda invocations, SES sends) before the per-IP limits even run.
 */
export const SUBSCRIPTION_API_THROTTLE = { rateLimit: 10, burstLimit: 20 };

export class DigestStack extends Stack {
  readonly composeIssue: nodejs.NodejsFunction;
  readonly sendBatch: nodejs.NodejsFunction;
  readonly sesEvents: nodejs.NodejsFunction;
  readonly subscriptionApi: nodejs.NodejsFunction;
  /** The API's public URL (`https://…execute-api…/`): the siteUrl until a custom domain or the web stack. */
  readonly subscriptionApiUrl: string;
  readonly alarms: sns.Topic;
  /** The archive: private bucket, CloudFront (infra/site.ts). */
  readonly site: DigestSite;

  constructor(scope: Construct, id: string, props: DigestStackProps) {
    super(scope, id, props);
    const { data, fleet } = props;

    const environment: Record<string, string> = {
      [LAMBDA_ENV.table]: data.table.tableName,
      [LAMBDA_ENV.queueUrl]: data.sendQueue.queueUrl,
      [LAMBDA_ENV.configurationSet]: data.configurationSet.configurationSetName,
      [LAMBDA_ENV.pinboardTokenSecret]: data.pinboardToken.secretArn,
      [LAMBDA_ENV.signingSecretArn]: data.signingKey.secretArn,
      [LAMBDA_ENV.fleetConcurrency]: String(fleet.maxConcurrency),
      [LAMBDA_ENV.metricsNamespace]: props.metricsNamespace,
      POWERTOOLS_SERVICE_NAME: id,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };

    const fn = (name: string, description: string, timeout: Duration, memorySize: number) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.THREE_MONTHS });
      return new nodejs.NodejsFunction(this, name, {
        entry: path.join(ROOT, 'lambda/handlers', `${kebab(name)}.ts`),
        handler: 'handler',
        description,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize,
        timeout,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        environment,
        projectRoot: ROOT,
        depsLockFilePath: path.join(ROOT, 'package-lock.json'),
        bundling: {
          target: 'node24',
          minify: true,
          sourceMap: false,
          // The runtime ships the AWS SDK v3; mjml never runs in a function (templates are compiled at synth).
          externalModules: ['@aws-sdk/*', '@smithy/*', 'mjml'],
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_input: string, output: string) => [
              `cp "${props.bundleFile}" "${path.posix.join(output, BUNDLE_FILE_NAME)}"`,
            ],
          },
        },
      });
    };

    this.composeIssue = fn(
      'ComposeIssue',
      'Composes the next issue once and enqueues its subscriber batches',
      Duration.minutes(5),
      1024,
    );
    this.sendBatch = fn(
      'SendBatch',
      'Sends queued subscriber batches through SES, paced to a share of the account rate',
      Duration.seconds(fleet.functionTimeoutSeconds),
      1024,
    );
    this.sesEvents = fn('SesEvents', 'Suppresses addresses that bounce or complain', Duration.seconds(30), 256);
    this.subscriptionApi = fn(
      'SubscriptionApi',
      'Signup page, subscribe, confirm and one-click unsubscribe',
      Duration.seconds(10),
      512,
    );

    // Data: each function reads and writes the one table; secrets are read where needed.
    for (const f of [this.composeIssue, this.sendBatch, this.sesEvents, this.subscriptionApi]) {
      data.table.grantReadWriteData(f);
    }
    // The subscription API signs and checks tokens; it never reads the Pinboard token or touches the queue.
    data.signingKey.grantRead(this.subscriptionApi);
    for (const f of [this.composeIssue, this.sendBatch]) {
      data.signingKey.grantRead(f);
      data.sendQueue.grantSendMessages(f);
    }
    data.pinboardToken.grantRead(this.composeIssue);

    // SES: send only as the configured domain, only through the configuration set.
    const region = Stack.of(this).region;
    const account = Stack.of(this).account;
    // send-batch sends issues and the subscription API confirmations; compose-issue only composes and enqueues.
    for (const f of [this.sendBatch, this.subscriptionApi]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendRawEmail'],
          resources: [
            `arn:aws:ses:${region}:${account}:identity/${props.senderDomain}`,
            `arn:aws:ses:${region}:${account}:configuration-set/${data.configurationSet.configurationSetName}`,
          ],
        }),
      );
    }
    // GetSendQuota has no resource-level permissions; only the paced sender reads it.
    this.sendBatch.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }));

    // The subscription API: every path goes to the one handler (it answers 404 and 405 itself, as pages);
    // the stage throttles; access logs hold the path, never the query (tokens live there).
    const api = new apigw.HttpApi(this, 'SubscriptionHttpApi', {
      description: `${id}: signup, confirm and unsubscribe`,
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('SubscriptionIntegration', this.subscriptionApi, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    const accessLogs = new logs.LogGroup(this, 'SubscriptionApiAccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    const stage = new apigw.HttpStage(this, 'SubscriptionApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: SUBSCRIPTION_API_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.subscriptionApiUrl = stage.url;
    this.site = new DigestSite(this, 'Site', {
      writer: this.composeIssue,
      subscriptionApiUrl: this.subscriptionApiUrl,
      subscriptionApi: this.subscriptionApi,
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'A public signup API: anyone may ask to subscribe (double opt-in, per-IP and per-address limits, stage throttling); confirm and unsubscribe are authorized by HMAC-signed, purpose-bound tokens in the URL.',
    });

    // The fleet: never more invocations than the rate allows (maximum concurrency, not reserved concurrency).
    this.sendBatch.addEventSource(
      new SqsEventSource(data.sendQueue, {
        batchSize: fleet.batchSize,
        maxConcurrency: fleet.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // SES bounce and complaint events → SNS (encrypted with a key SES and CloudWatch may use) → ses-events.
    // A customer key costs $1 a month, more than the rest of a small digest: it is opt-in (-c encryptTopics=true).
    let topicKey: kms.Key | undefined;
    if (props.encryptTopics) {
      topicKey = new kms.Key(this, 'TopicKey', {
        description: `${id}: encrypts the SES-events and alarm topics`,
        enableKeyRotation: true,
      });
      for (const service of ['ses.amazonaws.com', 'cloudwatch.amazonaws.com']) {
        topicKey.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal(service)],
            actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': account } },
          }),
        );
      }
    }
    const sesEventsTopic = new sns.Topic(this, 'SesEventsTopic', {
      displayName: `${id} SES bounces and complaints`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    new ses.CfnConfigurationSetEventDestination(this, 'SesEventDestination', {
      configurationSetName: data.configurationSet.configurationSetName,
      eventDestination: {
        enabled: true,
        matchingEventTypes: ['bounce', 'complaint'],
        snsDestination: { topicArn: sesEventsTopic.topicArn },
      },
    });
    this.sesEvents.addEventSource(new SnsEventSource(sesEventsTopic));
    if (props.unsubscribeMailbox) {
      new UnsubscribeReplies(this, 'UnsubscribeReplies', {
        address: props.unsubscribeMailbox,
        topic: sesEventsTopic,
      });
      // Only then does ses-events check tokens (the unsubscribe replies'), with the signing key.
      data.signingKey.grantRead(this.sesEvents);
    }

    const schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Composes and sends the next issue: cron(${props.schedule.cron}) in ${props.schedule.timezone}`,
      schedule: scheduler.ScheduleExpression.expression(
        `cron(${props.schedule.cron})`,
        TimeZone.of(props.schedule.timezone),
      ),
      target: new targets.LambdaInvoke(this.composeIssue, {
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'pinboard-digest.schedule' }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
    void schedule;

    // Alarms, mailed to the author when an address is given.
    this.alarms = new sns.Topic(this, 'Alarms', { displayName: `${id} alarms`, masterKey: topicKey, enforceSSL: true });
    if (!topicKey) {
      for (const topic of [sesEventsTopic, this.alarms]) {
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason:
            "Encrypted with a customer KMS key only with -c encryptTopics=true: SES and CloudWatch cannot publish to a topic under the AWS-managed key, and a customer key ($1/month) would be most of a small digest's bill. Delivery is TLS-only (SNS3); notices are held for seconds.",
        });
      }
    }
    if (props.alarmEmail) this.alarms.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(this.alarms));
      return a;
    };
    alarm(
      'DeadLettersAlarm',
      data.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      1,
      'Send batches reached the dead-letter queue: read the send-batch logs, fix, then redrive (README: Operate on AWS)',
    );
    for (const [name, f] of [
      ['ComposeIssue', this.composeIssue],
      ['SendBatch', this.sendBatch],
      ['SesEvents', this.sesEvents],
      ['SubscriptionApi', this.subscriptionApi],
    ] as const) {
      alarm(`${name}Errors`, f.metricErrors({ period: Duration.minutes(5) }), 1, `${name} failed`);
      alarm(`${name}Throttles`, f.metricThrottles({ period: Duration.minutes(5) }), 1, `${name} was throttled`);
    }
    const sesMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    alarm(
      'BounceRateAlarm',
      sesMetric('Reputation.BounceRate'),
      0.05,
      'SES bounce rate ≥ 5 %: SES reviews at 5 %, may pause at 10 %',
    );
    alarm(
      'ComplaintRateAlarm',
      sesMetric('Reputation.ComplaintRate'),
      0.001,
      'SES complaint rate ≥ 0.1 %: SES reviews at 0.1 %, may pause at 0.5 %',
    );
    alarm(
      'QuotaAlarm',
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: 'QuotaUsedRatio',
        period: Duration.minutes(15),
        statistic: 'Maximum',
      }),
      0.9,
      '90 % of the SES 24-hour quota is used: the rest of the issue waits on the queue until the quota frees',
    );

    new CfnOutput(this, 'ComposeIssueFunction', {
      value: this.composeIssue.functionName,
      description: 'Run an issue now: aws lambda invoke --function-name <this> /dev/stdout',
    });
    new CfnOutput(this, 'AlarmTopic', { value: this.alarms.topicArn, description: 'Alarms go here' });
    new CfnOutput(this, 'SubscriptionApiUrl', {
      value: this.subscriptionApiUrl,
      description:
        'The signup page and the confirm/unsubscribe links: set siteUrl to this (or a domain in front of it)',
    });
    const acknowledge = (id: string, reason: string) => Validations.of(this).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch Logs.',
    );
    acknowledge('AwsSolutions-IAM5[Resource::*]', 'ses:GetSendQuota has no resource-level permissions.');
    acknowledge(
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'CDK grant pattern for the one digest key (secrets, queue and topics are encrypted with it).',
    );
    acknowledge('AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'CDK grant pattern for the one digest key.');
    acknowledge(
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.composeIssue.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'The scheduler may invoke any version of compose-issue, and only that function.',
    );
  }
}

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
