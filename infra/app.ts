/**
 * The CDK app: `npx cdk deploy --all -c config=digest.config.json -c alarmEmail=you@example.com
 * [-c region=eu-west-1] [-c account=123456789012] [-c sendRate=14] [-c encryptTopics=true]`, or `-c alarms=none`
 * instead of an alarm address. Two stacks named from the config's title: data (table, secrets, SES
 * configuration set, queues) and digest (functions, schedule, alarms). A config that cannot run on Lambda is
 * refused here, every problem at once (infra/refusals.ts).
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lambda/config';
import { resolveEnvironment } from './environment';
import { buildStacks } from './stacks';

async function main() {
  const app = new App();
  const context = (key: string) => {
    const value = app.node.tryGetContext(key) as unknown;
    return value === undefined || value === null ? undefined : String(value);
  };
  const loaded = loadConfig(context('config'));
  const placement = resolveEnvironment({
    context: { region: context('region'), account: context('account') },
    deploy: loaded.config.deploy,
    processEnv: process.env,
  });
  console.warn(`pinboard-digest infra: ${placement.note}`);
  await buildStacks(app, loaded, {
    alarmEmail: context('alarmEmail'),
    alarms: context('alarms'),
    encryptTopics: context('encryptTopics') === 'true',
    sendRate: context('sendRate') ? Number(context('sendRate')) : undefined,
    env: placement.env,
    problems: placement.refusals,
  });
  // Dashboards take tags in CloudFormation now, but cfn-lint's schema here does not know it yet.
  Tags.of(app).add('app', 'pinboard-digest', { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
}

main().catch((error: unknown) => {
  console.error(`pinboard-digest infra: ${(error as Error).message}`);
  process.exit(1);
});
