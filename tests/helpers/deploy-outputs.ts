/** The outputs a deployed pair of stacks answers (lambda/deploy/outputs.ts keys), for a toolkit stand-in. */
import { OUTPUTS } from '../../lambda/deploy/outputs';
import type { DeployPlan, StackOutputsByName } from '../../lambda/ports/deploy';

export const DEPLOYED = {
  table: 'LinksIFound-Data-Table',
  signingKeyArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing',
  tokenArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token',
  siteUrl: 'https://d111111abcdef8.cloudfront.net',
};

export const outputsFor = (plan: DeployPlan, table = DEPLOYED.table): StackOutputsByName => ({
  [plan.stacks.data]: {
    [OUTPUTS.data.table]: table,
    [OUTPUTS.data.pinboardTokenSecret]: DEPLOYED.tokenArn,
    [OUTPUTS.data.signingKeySecret]: DEPLOYED.signingKeyArn,
    [OUTPUTS.data.configurationSet]: 'links-set',
    [OUTPUTS.data.sendQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/send',
  },
  [plan.stacks.digest]: {
    [OUTPUTS.digest.composeIssue]: 'compose',
    [OUTPUTS.digest.sendBatch]: 'send',
    [OUTPUTS.digest.sesEvents]: 'events',
    [OUTPUTS.digest.subscriptionApi]: 'api',
    [OUTPUTS.digest.schedule]: 'schedule',
    [OUTPUTS.digest.scheduleGroup]: 'default',
    [OUTPUTS.digest.sendEventSource]: '6f1c3e2a-0000-4000-8000-000000000000',
    [OUTPUTS.digest.siteUrl]: DEPLOYED.siteUrl,
    [OUTPUTS.digest.subscriptionApiUrl]: 'https://abc.execute-api.eu-west-1.amazonaws.com',
  },
});
