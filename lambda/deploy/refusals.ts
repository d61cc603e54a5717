/**
 * What stops a config from running as the deployed functions, checked before anything is synthesized. Pure
 * (no AWS call, no credentials), so the CDK app and a `deploy` command can run the same checks. Every problem
 * is reported at once, each naming the config key and the fix.
 */
import { isIP } from 'node:net';
import { isPrivateAddress } from '../adapters/link-checker';
import type { LoadedConfig, SourceConfig } from '../config';

/** A host that a function on Lambda (no VPC) cannot reach: this machine, a private network, mDNS names. */
export function unreachableFromLambda(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return isPrivateAddress(bare);
  return bare === 'localhost' || bare.endsWith('.localhost') || bare.endsWith('.local');
}

const sourceList = (source: LoadedConfig['config']['source']): readonly SourceConfig[] =>
  Array.isArray(source) ? source : [source as SourceConfig];

/** Each problem as `key: what is wrong. Fix`; empty when the config can run on Lambda. */
export function lambdaRefusals(loaded: LoadedConfig): string[] {
  const { config } = loaded;
  const refusals: string[] = [];
  const several = Array.isArray(config.source);
  if (!config.schedule) {
    refusals.push(
      '"schedule" is needed to deploy: nothing would run the issue. Add e.g. { "cron": "0 7 ? * SAT *", "timezone": "Europe/London" }',
    );
  }
  if (unreachableFromLambda(config.siteUrl)) {
    refusals.push(
      `siteUrl ${config.siteUrl} is this machine or a private network, for \`serve\` only: mail from AWS would link there. Set siteUrl to https://your.domain, or to the SiteUrl or SubscriptionApiUrl output after a first deploy`,
    );
  }
  sourceList(config.source).forEach((s, i) => {
    const key = several ? `source.${i}` : 'source';
    if (s.type === 'file') {
      refusals.push(
        `${key} is a "file" source (${s.path}): a function ships only the config, not that file, so every scheduled run would fail. Use a "pinboard-api", "pinboard-rss" or "feed" source to deploy`,
      );
    } else if (s.type === 'feed' && unreachableFromLambda(s.url)) {
      refusals.push(
        `${key}.url ${s.url} is on this machine or a private network, which a function on AWS cannot reach. Publish the feed at a public https address`,
      );
    }
  });
  // On AWS links are checked unless `enabled` is false (wiring.ts deployedProfile). A function outside a VPC has no
  // private network to reach: its loopback holds the Lambda runtime API, and a private address goes nowhere.
  if (config.linkCheck.enabled !== false && config.linkCheck.allowPrivateHosts) {
    refusals.push(
      'linkCheck.allowPrivateHosts is true, but a function on AWS reaches no private network (its loopback is the Lambda runtime API). Remove it (links to private hosts are then sent unchecked), or set linkCheck.enabled to false',
    );
  }
  return refusals;
}

/** `-c alarms=none`: the author chose to deploy without an alarm destination. */
export const NO_ALARMS = 'none';

export interface AlarmChoice {
  /** `-c alarmEmail`, else the config's `deploy.alarmEmail`. */
  alarmEmail?: string;
  /** `-c alarms`: only `none` is accepted, and it must be said. */
  alarms?: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Where alarms go: a refusal when nothing was chosen (or a choice is malformed), else a warning for `none`. */
export function alarmRefusals(choice: AlarmChoice): { refusals: string[]; warning?: string } {
  const refusals: string[] = [];
  if (choice.alarms !== undefined && choice.alarms !== NO_ALARMS) {
    refusals.push(`-c alarms=${choice.alarms}: the only value is "${NO_ALARMS}" (deploy without an alarm address)`);
  }
  if (choice.alarmEmail !== undefined && !EMAIL.test(choice.alarmEmail)) {
    refusals.push(`alarmEmail ${JSON.stringify(choice.alarmEmail)} is not an email address`);
  }
  if (choice.alarmEmail === undefined && choice.alarms === undefined) {
    refusals.push(
      'no alarm destination: alarms would reach nobody. Give -c alarmEmail=you@example.com (or "deploy": { "alarmEmail": … } in the config), or -c alarms=none to deploy without one',
    );
  }
  const warning =
    choice.alarms === NO_ALARMS && choice.alarmEmail === undefined
      ? 'alarms=none: the alarms fire into the AlarmTopic, which nobody is subscribed to; failed sends, dead letters and bounce rates reach nobody'
      : undefined;
  return { refusals, warning };
}
