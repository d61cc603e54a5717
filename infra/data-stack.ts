/**
 * The stateful half: everything that holds data or identity and must outlive a code deploy. The digest stack
 * receives these by typed props, so `cdk deploy` of new code never touches the table or the secrets. Nothing
 * here refers to the digest stack (it depends on this one): grants, topics and subscriptions live there.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../lambda/adapters/dynamodb-schema';
import type { FleetPlan } from '../lambda/core/fleet';
import { OUTPUTS } from '../lambda/deploy/outputs';
import { DEAD_LETTER_RETENTION, deadLetterQueue } from './queues';

export interface DataStackProps extends StackProps {
  fleet: FleetPlan;
}

export class DataStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly pinboardToken: secrets.Secret;
  readonly signingKey: secrets.Secret;
  readonly configurationSet: ses.ConfigurationSet;
  readonly sendQueue: sqs.Queue;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.timeToLive,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.pinboardToken = new secrets.Secret(this, 'PinboardToken', {
      description: `${id}: the Pinboard API token (user:HEX). Set it with: aws secretsmanager put-secret-value`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signingKey = new secrets.Secret(this, 'SigningKey', {
      description: `${id}: HMAC key that signs unsubscribe and confirm links (generated; never shown)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [this.pinboardToken, this.signingKey]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Neither can rotate automatically: the Pinboard token is issued by Pinboard, and a new signing key would void the unsubscribe link in every mail already sent.',
      });
    }

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      sendingEnabled: true,
    });
    // The send queue's redrive target: cdk-nag sees it as a DLQ, no acknowledgement needed.
    this.deadLetters = deadLetterQueue(this, 'SendDeadLetters', false);
    this.sendQueue = new sqs.Queue(this, 'SendQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.fleet.visibilityTimeoutSeconds),
      retentionPeriod: DEAD_LETTER_RETENTION,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.fleet.maxReceiveCount },
    });

    // `pinboard-digest deploy` reads these back (lambda/deploy/outputs.ts) into deployed.config.json.
    const out = OUTPUTS.data;
    new CfnOutput(this, out.table, { value: this.table.tableName, description: 'store.table for the CLI' });
    new CfnOutput(this, out.pinboardTokenSecret, {
      value: this.pinboardToken.secretArn,
      description: 'aws secretsmanager put-secret-value --secret-id <this> --secret-string user:HEX',
    });
    new CfnOutput(this, out.signingKeySecret, {
      value: this.signingKey.secretArn,
      description: 'DIGEST_SIGNING_SECRET for the CLI against this deployment: aws secretsmanager get-secret-value',
    });
    new CfnOutput(this, out.configurationSet, { value: this.configurationSet.configurationSetName });
    new CfnOutput(this, out.sendQueueUrl, { value: this.sendQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueArn', { value: this.deadLetters.queueArn });
  }
}
