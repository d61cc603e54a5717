/**
 * What a deployment is read back from: the stacks' outputs, under these keys (infra writes them, `deploy`
 * reads them), turned into the `deployment` record that `deployed.config.json` carries, from which every
 * command reaches the deployed functions, schedule, queue and secrets.
 */
import type { DeploymentConfig } from '../config';

export const OUTPUTS = {
  data: {
    table: 'TableName',
    pinboardTokenSecret: 'PinboardTokenSecret',
    signingKeySecret: 'SigningKeySecret',
    configurationSet: 'ConfigurationSetName',
    sendQueueUrl: 'SendQueueUrl',
  },
  digest: {
    composeIssue: 'ComposeIssueFunction',
    sendBatch: 'SendBatchFunction',
    sesEvents: 'SesEventsFunction',
    subscriptionApi: 'SubscriptionApiFunction',
    schedule: 'ScheduleName',
    scheduleGroup: 'ScheduleGroupName',
    sendEventSource: 'SendEventSourceMapping',
    siteUrl: 'SiteUrl',
    subscriptionApiUrl: 'SubscriptionApiUrl',
  },
} as const;

export type StackOutputs = Readonly<Record<string, string>>;

/** The deployment record from both stacks' outputs; an error names every output that is missing. */
export function deploymentFromOutputs(
  where: { region: string; account?: string; stacks: { data: string; digest: string } },
  outputs: { data: StackOutputs; digest: StackOutputs },
  deployedAt: string,
): DeploymentConfig {
  const missing: string[] = [];
  const read = (stack: 'data' | 'digest', key: string) => {
    const value = outputs[stack][key]?.trim();
    if (!value) missing.push(`${where.stacks[stack]} output ${key}`);
    return value ?? '';
  };
  const data = OUTPUTS.data;
  const digest = OUTPUTS.digest;
  const record: DeploymentConfig = {
    region: where.region,
    ...(where.account ? { account: where.account } : {}),
    stacks: { ...where.stacks },
    table: read('data', data.table),
    configurationSet: read('data', data.configurationSet),
    sendQueueUrl: read('data', data.sendQueueUrl),
    secrets: { pinboardToken: read('data', data.pinboardTokenSecret), signingKey: read('data', data.signingKeySecret) },
    functions: {
      composeIssue: read('digest', digest.composeIssue),
      sendBatch: read('digest', digest.sendBatch),
      sesEvents: read('digest', digest.sesEvents),
      subscriptionApi: read('digest', digest.subscriptionApi),
    },
    schedule: { name: read('digest', digest.schedule), group: read('digest', digest.scheduleGroup) },
    sendEventSource: read('digest', digest.sendEventSource),
    siteUrl: read('digest', digest.siteUrl),
    subscriptionApiUrl: read('digest', digest.subscriptionApiUrl),
    deployedAt,
  };
  if (missing.length > 0) {
    throw new Error(`the stacks do not say where everything is (deploy again to add them): ${missing.join(', ')}`);
  }
  return record;
}
