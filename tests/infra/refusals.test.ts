/** What the deploy refuses before synthesizing, where region and account come from, and the queue-age limit. */
import path from 'node:path';
import { resolveEnvironment } from '../../infra/environment';
import { oldestMessageLimitSeconds } from '../../infra/monitoring';
import { alarmRefusals, lambdaRefusals, unreachableFromLambda } from '../../infra/refusals';
import { type DigestConfig, EXAMPLE_CONFIG, type LoadedConfig, loadConfig } from '../../lambda/config';
import { planSendFleet } from '../../lambda/core/fleet';

const SYNTH_CONFIG = path.resolve(__dirname, '../../infra/synth.config.json');
const deployable = loadConfig(SYNTH_CONFIG);
const withConfig = (patch: Partial<DigestConfig>): LoadedConfig => ({
  ...deployable,
  config: { ...deployable.config, ...patch },
});

describe('lambdaRefusals', () => {
  it('passes the config CI synthesizes', () => {
    expect(lambdaRefusals(deployable)).toEqual([]);
  });

  it('refuses the bundled example: its file source ships only a path', () => {
    const refusals = lambdaRefusals(loadConfig(EXAMPLE_CONFIG));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /^source is a "file" source \(bookmarks\.json\).*Use a "pinboard-api", "pinboard-rss" or "feed" source/,
    );
  });

  it('names the entry of a list of sources that is a file, or a feed on a private address', () => {
    const refusals = lambdaRefusals(
      withConfig({
        source: [
          { type: 'pinboard-rss', user: 'me' },
          { type: 'file', path: 'b.json' },
          { type: 'feed', url: 'http://192.168.1.20/feed.xml' },
          { type: 'feed', url: 'https://blog.example.com/feed.xml' },
          { type: 'feed', url: 'http://localhost:8080/atom.xml' },
        ],
      }),
    );
    expect(refusals.map((r) => r.split(' ')[0])).toEqual(['source.1', 'source.2.url', 'source.4.url']);
    expect(refusals[1]).toMatch(/cannot reach\. Publish the feed at a public https address/);
  });

  it('refuses a siteUrl on this machine or a private network', () => {
    for (const siteUrl of [
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'https://10.0.0.5',
      'https://[::1]:8443',
    ]) {
      expect(lambdaRefusals(withConfig({ siteUrl }))).toEqual([
        expect.stringMatching(new RegExp(`^siteUrl ${siteUrl.replace(/[[\].]/g, '\\$&')} is this machine`)),
      ]);
    }
  });

  it('refuses checking private hosts from Lambda, unless link checking is off', () => {
    const linkCheck = { ...deployable.config.linkCheck, allowPrivateHosts: true };
    expect(lambdaRefusals(withConfig({ linkCheck }))).toEqual([
      expect.stringMatching(/^linkCheck\.allowPrivateHosts is true.*set linkCheck\.enabled to false/),
    ]);
    expect(lambdaRefusals(withConfig({ linkCheck: { ...linkCheck, enabled: false } }))).toEqual([]);
    // The CLI's default is off, but on AWS "enabled" left out means on: still refused.
    expect(lambdaRefusals(withConfig({ linkCheck: { ...linkCheck, enabled: undefined } }))).toHaveLength(1);
  });

  it('reports every problem at once, and a missing schedule among them', () => {
    const refusals = lambdaRefusals(
      withConfig({
        schedule: undefined,
        siteUrl: 'http://127.0.0.1:8080',
        source: { type: 'file', path: 'b.json' },
        linkCheck: { ...deployable.config.linkCheck, allowPrivateHosts: true },
      }),
    );
    expect(refusals.map((r) => r.split(' ')[0])).toEqual([
      '"schedule"',
      'siteUrl',
      'source',
      'linkCheck.allowPrivateHosts',
    ]);
  });

  it('knows which hosts Lambda cannot reach', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://169.254.169.254/',
      'http://printer.local/',
      'http://a.localhost/',
    ]) {
      expect(unreachableFromLambda(url)).toBe(true);
    }
    for (const url of ['https://example.com/', 'https://8.8.8.8/', 'https://localhost.example.com/']) {
      expect(unreachableFromLambda(url)).toBe(false);
    }
  });
});

describe('alarmRefusals', () => {
  it('refuses a deploy without an alarm destination, and accepts one', () => {
    expect(alarmRefusals({}).refusals).toEqual([expect.stringMatching(/^no alarm destination.*-c alarms=none/)]);
    expect(alarmRefusals({ alarmEmail: 'me@example.com' })).toEqual({ refusals: [] });
  });

  it('accepts alarms=none only as said, with a warning that alarms reach nobody', () => {
    const none = alarmRefusals({ alarms: 'none' });
    expect(none.refusals).toEqual([]);
    expect(none.warning).toMatch(/reach nobody/);
    expect(alarmRefusals({ alarms: 'off' }).refusals).toEqual([expect.stringMatching(/only value is "none"/)]);
    expect(alarmRefusals({ alarmEmail: 'not-an-address' }).refusals).toEqual([
      expect.stringMatching(/"not-an-address" is not an email address/),
    ]);
  });
});

describe('resolveEnvironment', () => {
  const none = { context: {}, processEnv: {} };

  it('takes -c region and -c account first, then the config, then the CLI', () => {
    const cli = { CDK_DEFAULT_REGION: 'us-west-2', CDK_DEFAULT_ACCOUNT: '111111111111' };
    const deploy = { region: 'eu-west-1', account: '222222222222' };
    expect(
      resolveEnvironment({ context: { region: 'ap-southeast-2', account: '333333333333' }, deploy, processEnv: cli })
        .env,
    ).toEqual({
      region: 'ap-southeast-2',
      account: '333333333333',
    });
    const fromConfig = resolveEnvironment({ context: {}, deploy, processEnv: cli });
    expect(fromConfig.env).toEqual({ region: 'eu-west-1', account: '222222222222' });
    expect(fromConfig.note).toBe(
      'region eu-west-1 (from deploy.region in the config); account 222222222222 (from deploy.account in the config)',
    );
    expect(resolveEnvironment({ context: {}, processEnv: cli }).env).toEqual({
      region: 'us-west-2',
      account: '111111111111',
    });
  });

  it("does not take the CLI's fallback us-east-1 for a region when it resolved no credentials", () => {
    const offline = resolveEnvironment({ ...none, processEnv: { CDK_DEFAULT_REGION: 'us-east-1' } });
    expect(offline.env).toEqual({ region: undefined, account: undefined });
    expect(offline.note).toMatch(/^no region given .*region-agnostic/);
    expect(resolveEnvironment({ ...none, processEnv: { AWS_REGION: 'eu-north-1' } }).env.region).toBe('eu-north-1');
  });

  it('refuses a malformed -c region or -c account, naming where it came from', () => {
    expect(resolveEnvironment({ ...none, context: { region: 'Ireland', account: '12' } }).refusals).toEqual([
      '-c region: "Ireland" is not an AWS region code, e.g. eu-west-1',
      '-c account: "12" is not a 12-digit AWS account id',
    ]);
  });
});

describe('oldestMessageLimitSeconds', () => {
  const fleet = planSendFleet(14);

  it('allows a 10,000-recipient issue at the rate, half again, and one visibility timeout; at least an hour', () => {
    expect(oldestMessageLimitSeconds(fleet, 14)).toBe(3600); // 1,071 s + 1,800 s < 1 h
    expect(oldestMessageLimitSeconds(fleet, 1)).toBe(Math.ceil(1.5 * 10_000 + 1800));
    expect(oldestMessageLimitSeconds(fleet, 14, 100_000)).toBe(Math.ceil((1.5 * 100_000) / 14 + 1800));
  });

  it('is at most a day', () => {
    expect(oldestMessageLimitSeconds(fleet, 1, 1_000_000)).toBe(86_400);
  });
});
