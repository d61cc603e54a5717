/**
 * The CDK app: `npx cdk deploy --all -c config=digest.config.json [-c alarmEmail=you@example.com]
 * [-c sendRate=14]`. Two stacks named from the config's title: data (table, secrets, SES configuration set,
 * queues) and digest (functions, schedule, alarms).
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lambda/config';
import { buildStacks } from './stacks';

async function main() {
  const app = new App();
  const configFile = app.node.tryGetContext('config') as string | undefined;
  const loaded = loadConfig(configFile);
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  await buildStacks(app, loaded, {
    alarmEmail: context('alarmEmail'),
    encryptTopics: String(context('encryptTopics')) === 'true',
    sendRate: context('sendRate') ? Number(context('sendRate')) : undefined,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Tags.of(app).add('app', 'pinboard-digest');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
}

main().catch((error: unknown) => {
  console.error(`pinboard-digest infra: ${(error as Error).message}`);
  process.exit(1);
});
