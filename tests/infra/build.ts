/** Builds the stacks for a stack test, bundling skipped (docs/FACTS.md: 0.2 s instead of 3 s a stack). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildStacks, type StackOptions } from '../../infra/stacks';
import type { DigestFunction } from '../../infra/table-access';
import { type DigestConfig, type LoadedConfig, loadConfig } from '../../lambda/config';

/** The config CI synthesizes: the example digest with a Pinboard API source, which can run on Lambda. */
export const SYNTH_CONFIG = path.resolve(__dirname, '../../infra/synth.config.json');

export const freshApp = () =>
  new App({ outdir: mkdtempSync(path.join(tmpdir(), 'pd-cdk-')), context: { 'aws:cdk:bundling-stacks': [] } });

/** The CI config with some keys replaced. */
export function deployable(patch: Partial<DigestConfig> = {}): LoadedConfig {
  const loaded = loadConfig(SYNTH_CONFIG);
  return { ...loaded, config: { ...loaded.config, ...patch } };
}

/** Both templates of `loaded` (default: the CI config), with alarms=none unless an address is given. */
export async function templates(options: StackOptions = {}, loaded: LoadedConfig = deployable()) {
  const stacks = await buildStacks(freshApp(), loaded, { alarms: options.alarmEmail ? undefined : 'none', ...options });
  return {
    ...stacks,
    dataTemplate: Template.fromStack(stacks.data),
    digestTemplate: Template.fromStack(stacks.digest),
  };
}

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The function's logical id and properties, by its construct name. */
export function fn(t: Template, name: DigestFunction) {
  const entry = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) =>
    new RegExp(`^${name}[0-9A-F]{8}$`).test(id),
  );
  if (!entry) throw new Error(`no function ${name}`);
  return { id: entry[0], properties: entry[1].Properties };
}

/** Every statement of every policy attached to the function's role. */
export function statementsOf(t: Template, name: DigestFunction): Statement[] {
  const role = fn(t, name).properties.Role['Fn::GetAtt'][0];
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
