/**
 * The CDK toolkit as a library (@aws-cdk/toolkit-lib, the CDK CLI's engine): the project's CDK app
 * (cdk.json's `npx tsx infra/app.ts`) synthesized with the plan's context, then diffed, deployed or the
 * account bootstrapped. Its messages become progress lines: one per resource event while a stack deploys.
 * Loaded only by `deploy` (the library is large).
 */
import path from 'node:path';
import {
  BaseCredentials,
  BootstrapEnvironments,
  type IIoHost,
  type IoMessage,
  type IoRequest,
  MemoryContext,
  StackSelectionStrategy,
  Toolkit,
} from '@aws-cdk/toolkit-lib';
import type { DeployPlan, StackOutputsByName, StackToolkit } from '../../ports/deploy';

/** The project root: where cdk.json and infra/ are. */
const PROJECT_DIR = path.resolve(__dirname, '../../..');
const APP = 'npx tsx infra/app.ts';

/** Routes the toolkit's messages to a line printer: errors and warnings always, info as progress. */
class LineIoHost implements IIoHost {
  constructor(private readonly line: (text: string) => void) {}
  async notify(msg: IoMessage<unknown>): Promise<void> {
    if (msg.level === 'debug' || msg.level === 'trace') return;
    const text = msg.message.trim();
    if (text) this.line(msg.level === 'error' ? `error: ${text}` : msg.level === 'warn' ? `warning: ${text}` : text);
  }
  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    // No questions asked: approval was given by running `deploy` (the dry run shows what would change).
    await this.notify(msg);
    return msg.defaultResponse;
  }
}

/** Credentials and region as the AWS CLI finds them (AWS_PROFILE, the environment, ~/.aws). */
export class CdkToolkit implements StackToolkit {
  private toolkit(line: (text: string) => void): Toolkit {
    return new Toolkit({
      ioHost: new LineIoHost(line),
      color: false,
      emojis: false,
      sdkConfig: { baseCredentials: BaseCredentials.awsCliCompatible() },
    });
  }

  private source(toolkit: Toolkit, plan: DeployPlan) {
    return toolkit.fromCdkApp(APP, {
      workingDirectory: PROJECT_DIR,
      contextStore: new MemoryContext({ ...plan.context }),
      outdir: path.join(PROJECT_DIR, 'cdk.out'),
      env: { CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
  }

  async diff(plan: DeployPlan): Promise<string> {
    const lines: string[] = [];
    const toolkit = this.toolkit((l) => lines.push(l));
    const diffs = await toolkit.diff(await this.source(toolkit, plan), {
      stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [plan.stacks.data, plan.stacks.digest] },
    });
    const summary = Object.entries(diffs).map(([stack, d]) => `${stack}: ${d.differenceCount} change(s)`);
    return [...lines, ...summary].join('\n');
  }

  async deploy(
    plan: DeployPlan,
    which: 'all' | 'digest',
    progress: (line: string) => void,
  ): Promise<StackOutputsByName> {
    const toolkit = this.toolkit(progress);
    const patterns = which === 'all' ? [plan.stacks.data, plan.stacks.digest] : [plan.stacks.digest];
    const result = await toolkit.deploy(await this.source(toolkit, plan), {
      stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns },
    });
    return Object.fromEntries(result.stacks.map((s) => [s.stackName, s.outputs]));
  }

  async bootstrap(plan: Pick<DeployPlan, 'region' | 'account'>, progress: (line: string) => void): Promise<void> {
    await this.toolkit(progress).bootstrap(BootstrapEnvironments.fromList([`aws://${plan.account}/${plan.region}`]));
  }
}
