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
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FleetPlan } from '../lambda/core/fleet';
import { COMPOSE_EVENTS } from '../lambda/core/review';
import { OUTPUTS } from '../lambda/deploy/outputs';
import { LAMBDA_ENV } from '../lambda/env';
import { BUNDLE_FILE_NAME } from '../lambda/handlers/bundle';
import type { DataStack } from './data-stack';
import { grantSecretValue } from './grants';
import { DigestMonitoring } from './monitoring';
import { deadLetterQueue, QueueOnFailure } from './queues';
import { DigestSite } from './site';
import { type DigestFunction, TABLE_ACCESS } from './table-access';
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
  /**
   * Config `review`: a draft schedule, compose-issue mails the preflight, and the review pages (and, with
   * the reply door, ses-events) have compose-issue act on the draft.
   */
  review?: { leadHours: number };
  /** Mailed when an alarm fires; none only when the author said `-c alarms=none`. */
  alarmEmail?: string;
  /** Threshold of the send queue's oldest-message alarm (infra/monitoring.ts oldestMessageLimitSeconds). */
  oldestMessageSeconds: number;
  /** A source reads the Pinboard API: compose-issue is told the token's secret and may read it. */
  readsPinboardToken: boolean;
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
  /** Schedule ticks Scheduler could not deliver, and compose-issue invocations that failed every retry. */
  readonly scheduleDeadLetters: sqs.Queue;
  /** SES notices SNS could not deliver to ses-events, and ses-events invocations that failed every retry. */
  readonly sesEventsDeadLetters: sqs.Queue;
  readonly monitoring: DigestMonitoring;
  /** The archive: private bucket, CloudFront (infra/site.ts). */
  readonly site: DigestSite;

  constructor(scope: Construct, id: string, props: DigestStackProps) {
    super(scope, id, props);
    const { data, fleet } = props;

    // What every function's runtime reads (handlers/runtime.ts); each secret's ARN is added only where it is read.
    const environment: Record<string, string> = {
      [LAMBDA_ENV.table]: data.table.tableName,
      [LAMBDA_ENV.queueUrl]: data.sendQueue.queueUrl,
      [LAMBDA_ENV.configurationSet]: data.configurationSet.configurationSetName,
      [LAMBDA_ENV.fleetConcurrency]: String(fleet.maxConcurrency),
      [LAMBDA_ENV.metricsNamespace]: props.metricsNamespace,
      POWERTOOLS_SERVICE_NAME: id,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };

    const fn = (name: DigestFunction, description: string, timeout: Duration, memorySize: number) => {
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
        environment: { ...environment },
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
      // A review page's button waits for compose-issue to read the sources again (Pinboard's 3 s pacing, the
      // link check): up to API Gateway's 29 s then.
      Duration.seconds(props.review ? 29 : 10),
      512,
    );

    const functions: Record<DigestFunction, nodejs.NodejsFunction> = {
      ComposeIssue: this.composeIssue,
      SendBatch: this.sendBatch,
      SesEvents: this.sesEvents,
      SubscriptionApi: this.subscriptionApi,
    };
    // The table: each function the actions its code calls, by name (infra/table-access.ts).
    for (const [name, f] of Object.entries(functions) as [DigestFunction, nodejs.NodejsFunction][]) {
      data.table.grant(f, ...TABLE_ACCESS[name]);
    }
    // Secrets: GetSecretValue (all Powertools calls) of the secrets a function reads at cold start, and the
    // ARN in its environment only then. Messages carry signed links, so every sender and checker reads the
    // signing key (compose-issue too: it sizes the issue with a signed sample link); ses-events only when
    // it checks the tokens of unsubscribe replies. Only compose-issue reads the Pinboard token, only when a
    // source is the Pinboard API (a token never put in the secret would fail an RSS digest's every run).
    const readSecret = (f: lambda.Function, secret: secrets.ISecret, variable: string) => {
      grantSecretValue(f, secret);
      f.addEnvironment(variable, secret.secretArn);
    };
    for (const f of [this.composeIssue, this.sendBatch, this.subscriptionApi]) {
      readSecret(f, data.signingKey, LAMBDA_ENV.signingSecretArn);
    }
    if (props.readsPinboardToken) readSecret(this.composeIssue, data.pinboardToken, LAMBDA_ENV.pinboardTokenSecret);
    // The queue: compose-issue enqueues (SendMessageBatch) and asks whether batches are still queued
    // (GetQueueAttributes); send-batch too, re-enqueueing batches held for the daily quota. The event source
    // mapping below adds what the poller needs to receive and delete.
    for (const f of [this.composeIssue, this.sendBatch]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [data.sendQueue.queueArn],
        }),
      );
    }

    // SES: send only as the configured domain, only through the configuration set.
    const stack = Stack.of(this);
    const account = stack.account;
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: data.configurationSet.configurationSetName,
    });
    // send-batch sends issues and the subscription API confirmations; compose-issue composes and enqueues, and
    // with review mails the author's preflight.
    for (const f of [this.sendBatch, this.subscriptionApi, ...(props.review ? [this.composeIssue] : [])]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendRawEmail'],
          resources: [
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.senderDomain }),
            configurationSetArn,
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
    // The poller runs under send-batch's role and needs what AWS's own AWSLambdaSQSQueueExecutionRole holds:
    // receive, delete, read the attributes (CDK's SqsEventSource would also grant GetQueueUrl and
    // ChangeMessageVisibility, which nothing calls).
    this.sendBatch.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [data.sendQueue.queueArn],
      }),
    );
    const sendEventSource = this.sendBatch.addEventSourceMapping('SendQueueSource', {
      eventSourceArn: data.sendQueue.queueArn,
      batchSize: fleet.batchSize,
      maxConcurrency: fleet.maxConcurrency,
      reportBatchItemFailures: true,
    });
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
    // SES publishes a configuration set's events only to a topic whose policy lets it: this account's, and
    // this configuration set's only. (With -c encryptTopics=true the topic's key already lets SES use it.)
    const sesMayPublish = sesEventsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesEventPublishing',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [sesEventsTopic.topicArn],
        conditions: { StringEquals: { 'AWS:SourceAccount': account, 'AWS:SourceArn': configurationSetArn } },
      }),
    );
    const destination = new ses.CfnConfigurationSetEventDestination(this, 'SesEventDestination', {
      configurationSetName: data.configurationSet.configurationSetName,
      eventDestination: {
        enabled: true,
        matchingEventTypes: ['bounce', 'complaint'],
        snsDestination: { topicArn: sesEventsTopic.topicArn },
      },
    });
    if (sesMayPublish.policyDependable) destination.node.addDependency(sesMayPublish.policyDependable);
    // SNS invokes ses-events asynchronously: a notice SNS cannot deliver (after its retries) goes to the
    // subscription's dead-letter queue; one whose invocation fails twice more (Lambda's async retries) goes to
    // the same queue through the function's on-failure destination. Either way the alarm fires.
    this.sesEventsDeadLetters = deadLetterQueue(this, 'SesEventsDeadLetters');
    this.sesEvents.addEventSource(new SnsEventSource(sesEventsTopic, { deadLetterQueue: this.sesEventsDeadLetters }));
    this.onFailure(this.sesEvents, this.sesEventsDeadLetters, Duration.hours(6));
    if (props.unsubscribeMailbox) {
      new UnsubscribeReplies(this, 'UnsubscribeReplies', {
        address: props.unsubscribeMailbox,
        topic: sesEventsTopic,
      });
      // Only then does ses-events check tokens (the unsubscribe replies'), with the signing key.
      readSecret(this.sesEvents, data.signingKey, LAMBDA_ENV.signingSecretArn);
      if (props.review) {
        // The author's reply to a preflight sets the note, through compose-issue (jobs/record-ses-events.ts).
        this.composeIssue.grantInvoke(this.sesEvents);
        this.sesEvents.addEnvironment(LAMBDA_ENV.composeFunction, this.composeIssue.functionName);
      }
    }

    // Scheduler invokes compose-issue asynchronously: a tick it cannot deliver (after its 2 retries, within an
    // hour) goes to the schedule's dead-letter queue, and so does an invocation that fails Lambda's own retries.
    this.scheduleDeadLetters = deadLetterQueue(this, 'ScheduleDeadLetters');
    this.onFailure(this.composeIssue, this.scheduleDeadLetters, Duration.hours(1));
    const schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Composes and sends the next issue: cron(${props.schedule.cron}) in ${props.schedule.timezone}`,
      schedule: scheduler.ScheduleExpression.expression(
        `cron(${props.schedule.cron})`,
        TimeZone.of(props.schedule.timezone),
      ),
      target: new targets.LambdaInvoke(this.composeIssue, {
        input: scheduler.ScheduleTargetInput.fromObject({ source: COMPOSE_EVENTS.deadline }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.scheduleDeadLetters,
      }),
    });
    void schedule;
    if (props.review) {
      // Every hour: compose-issue drafts once the send is leadHours away (jobs/review.ts composeDraft), so any
      // cron and any lead work without a second cron to keep in step with the first.
      new scheduler.Schedule(this, 'DraftSchedule', {
        description: `Drafts the next issue and mails the preflight ${props.review.leadHours} h before the send`,
        schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
        target: new targets.LambdaInvoke(this.composeIssue, {
          input: scheduler.ScheduleTargetInput.fromObject({ source: COMPOSE_EVENTS.draft }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.scheduleDeadLetters,
        }),
      });
      // The review pages' buttons act through compose-issue (the one function that reads the sources).
      this.composeIssue.grantInvoke(this.subscriptionApi);
      this.subscriptionApi.addEnvironment(LAMBDA_ENV.composeFunction, this.composeIssue.functionName);
    }

    // Alarms, mailed to the author (buildStacks refuses a deploy without an address unless told alarms=none).
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
    this.monitoring = new DigestMonitoring(this, 'Monitoring', {
      topic: this.alarms,
      namespace: props.metricsNamespace,
      functions,
      sendQueue: data.sendQueue,
      deadLetters: { send: data.deadLetters, schedule: this.scheduleDeadLetters, sesEvents: this.sesEventsDeadLetters },
      oldestMessageSeconds: props.oldestMessageSeconds,
    });

    // `pinboard-digest deploy` reads these back (lambda/deploy/outputs.ts) into deployed.config.json, from which
    // smoke, pause, resume and status find what they act on.
    const out = OUTPUTS.digest;
    new CfnOutput(this, out.composeIssue, {
      value: this.composeIssue.functionName,
      description: 'Run an issue now: aws lambda invoke --function-name <this> /dev/stdout',
    });
    new CfnOutput(this, out.sendBatch, { value: this.sendBatch.functionName });
    new CfnOutput(this, out.sesEvents, { value: this.sesEvents.functionName });
    new CfnOutput(this, out.subscriptionApi, { value: this.subscriptionApi.functionName });
    new CfnOutput(this, out.schedule, {
      value: schedule.scheduleName,
      description: 'Paused by `pinboard-digest pause`',
    });
    new CfnOutput(this, out.scheduleGroup, { value: schedule.scheduleGroup?.scheduleGroupName ?? 'default' });
    new CfnOutput(this, out.sendEventSource, {
      value: sendEventSource.eventSourceMappingId,
      description: "send-batch's queue poller: disabled by `pinboard-digest pause`",
    });
    new CfnOutput(this, 'AlarmTopic', { value: this.alarms.topicArn, description: 'Alarms go here' });
    new CfnOutput(this, 'ScheduleDeadLetterQueueUrl', {
      value: this.scheduleDeadLetters.queueUrl,
      description: 'Issues that did not run: the failed event, with the error (aws sqs receive-message)',
    });
    new CfnOutput(this, 'SesEventsDeadLetterQueueUrl', {
      value: this.sesEventsDeadLetters.queueUrl,
      description: 'SES notices not recorded: redrive once ses-events is fixed',
    });
    new CfnOutput(this, 'Dashboard', {
      value: this.monitoring.dashboard.dashboardName,
      description: "One issue's journey: CloudWatch → Dashboards",
    });
    new CfnOutput(this, out.subscriptionApiUrl, {
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

  /**
   * Lambda retries a failed asynchronous invocation twice; after that, or once the event is `maxAge` old, it
   * goes to `queue` with the error. The invoke config waits for the role's policy: Lambda checks that the role
   * may send to the queue when the config is made.
   */
  private onFailure(f: lambda.Function, queue: sqs.IQueue, maxAge: Duration) {
    const config = new lambda.EventInvokeConfig(this, `${f.node.id}AsyncInvoke`, {
      function: f,
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: maxAge,
      onFailure: new QueueOnFailure(queue),
    });
    if (f.role) config.node.addDependency(f.role);
  }
}

export const ASYNC_RETRY_ATTEMPTS = 2;

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
