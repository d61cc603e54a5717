/**
 * The composition root of `smoke`, `pause`, `resume` and `status`: the config's deployment record (what
 * `deploy` writes into deployed.config.json) in, the operations adapters out, every client in the
 * deployment's region (not the shell's). Endpoints come from the SDK's environment (AWS_ENDPOINT_URL_LAMBDA,
 * _SCHEDULER, _SQS, _DYNAMODB), as for every other client.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaEventSource, LambdaInvoker } from '../adapters/aws-control/lambda';
import { SchedulerSchedule } from '../adapters/aws-control/scheduler';
import { SqsQueueStats } from '../adapters/aws-control/sqs';
import { DynamoDbStore } from '../adapters/dynamodb-store';
import { DEPLOYED_CONFIG_FILE, type DeploymentConfig, loadConfig } from '../config';
import { sleep } from '../core/retry';
import type { SendingControls, StatusDeps } from '../jobs/operate';
import type { SmokeDeps } from '../jobs/operate-smoke';
import type { Output } from '../ports/output';
import type { CommonFlags } from '../wiring';

export { DEPLOYED_CONFIG_FILE };

export interface Operations {
  deployment: DeploymentConfig;
  /** The config file the record came from. */
  origin: string;
  smoke: SmokeDeps;
  sending: SendingControls;
  status: StatusDeps;
}

/** The deployment record of `--config` (else ./deployed.config.json), or why there is none. */
export function deploymentOf(
  flags: CommonFlags,
  cwd = process.cwd(),
): { deployment: DeploymentConfig; origin: string } | { missing: string } {
  const file = flags.config ?? path.join(cwd, DEPLOYED_CONFIG_FILE);
  if (!flags.config && !existsSync(file)) {
    return {
      missing: `there is no ${DEPLOYED_CONFIG_FILE} here (${cwd}): \`pinboard-digest deploy\` writes it once the stacks stand; or name one with --config FILE`,
    };
  }
  const loaded = loadConfig(file, cwd);
  const deployment = loaded.config.deployment;
  if (!deployment) {
    return {
      missing: `${loaded.origin} has no \`deployment\` record: \`pinboard-digest deploy\` writes it into ${DEPLOYED_CONFIG_FILE}; run this with --config ${DEPLOYED_CONFIG_FILE}`,
    };
  }
  return { deployment, origin: loaded.origin };
}

/** Builds the adapters for `deployment`; `close` lets go of their connections. */
export function buildOperations(deployment: DeploymentConfig, origin: string): Operations & { close: () => void } {
  const region = deployment.region;
  const lambda = new LambdaClient({ region });
  const scheduler = new SchedulerClient({ region });
  // An endpoint set in the environment (a local SQS) wins over the host written inside queue URLs.
  const sqsEndpointSet = Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
  const sqs = new SQSClient({ region, useQueueUrlAsEndpoint: !sqsEndpointSet });
  const dynamodb = new DynamoDBClient({ region });
  const eventSource = new LambdaEventSource(lambda, deployment.sendEventSource);
  const schedule = new SchedulerSchedule(scheduler, deployment.schedule.name, deployment.schedule.group);
  const queue = new SqsQueueStats(sqs, deployment.sendQueueUrl);
  const now = () => new Date();
  return {
    deployment,
    origin,
    smoke: {
      invoker: new LambdaInvoker(lambda),
      functions: deployment.functions,
      subscriptionApiUrl: deployment.subscriptionApiUrl,
      now,
    },
    sending: { schedule, eventSource, queue, sleep, now },
    status: {
      schedule,
      eventSource,
      queue,
      store: new DynamoDbStore({ table: deployment.table, client: dynamodb }),
      now,
    },
    close: () => {
      for (const client of [lambda, scheduler, sqs, dynamodb]) client.destroy();
    },
  };
}

/**
 * Runs an operations command over the deployment of `flags`: without a deployment record it says where one
 * comes from and answers 2 (a usage mistake, not a failure of the deployment).
 */
export async function withOperations(
  flags: CommonFlags,
  output: Pick<Output, 'err'>,
  run: (ops: Operations) => Promise<number>,
): Promise<number> {
  const found = deploymentOf(flags);
  if ('missing' in found) {
    output.err(`pinboard-digest: ${found.missing}`);
    return 2;
  }
  const ops = buildOperations(found.deployment, found.origin);
  try {
    return await run(ops);
  } finally {
    ops.close();
  }
}
