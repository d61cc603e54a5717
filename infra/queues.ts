/**
 * Dead-letter queues, all alike: encrypted with the SQS-managed key (SNS, Scheduler and Lambda can all write to
 * it without a key policy), TLS only, and messages kept 14 days (the most SQS allows) for the author to read,
 * fix and redrive. Each has a not-empty alarm (infra/monitoring.ts).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * A dead-letter queue. `acknowledgeNoDlq`: it is the end of the line for a service (SNS, Scheduler, Lambda)
 * that cdk-nag cannot see as the source of its messages, so its rule that every queue has a DLQ does not fit.
 */
export function deadLetterQueue(scope: Construct, id: string, acknowledgeNoDlq = true): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  if (acknowledgeNoDlq) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of an SNS subscription, the schedule or an async invocation): nothing redrives from it automatically, and its not-empty alarm watches it.',
    });
  }
  return queue;
}

/**
 * A function's failed asynchronous invocations (after Lambda's own retries) go to `queue`. Lambda sends them
 * with the function's role, which gets `sqs:SendMessage` on that queue and nothing else (CDK's SqsDestination
 * would grant GetQueueAttributes and GetQueueUrl too, which Lambda never calls).
 */
export class QueueOnFailure implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    return { destination: this.queue.queueArn };
  }
}
