/** The linkCheck config: defaults per host (off on the CLI, on on AWS), validation that names the key. */
import { type DigestConfig, EXAMPLE_CONFIG, type LoadedConfig, loadConfig, parseConfig } from '../../lambda/config';
import { ConfigError } from '../../lambda/core/errors';
import { deployedProfile, linkCheckDeps } from '../../lambda/wiring';

const base = {
  title: 'T',
  siteUrl: 'https://links.example.com',
  from: 'T <d@links.example.com>',
  source: { type: 'file', path: 'b.json' },
  transport: { type: 'outbox', dir: 'outbox' },
};
const parse = (linkCheck?: unknown) =>
  parseConfig(linkCheck === undefined ? base : { ...base, linkCheck }, '/p/digest.config.json');
const problem = (linkCheck: unknown) => {
  try {
    parse(linkCheck);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};
const AWS_ENV = {
  DIGEST_TABLE: 'digest',
  DIGEST_CONFIGURATION_SET: 'digest-set',
  DIGEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/send',
};
const onAws = (config: DigestConfig) =>
  deployedProfile({ config, origin: 'bundle', baseDir: '/' } as LoadedConfig, AWS_ENV).config;

describe('linkCheck config', () => {
  it('is off on the CLI when the config says nothing, the embedded example included', () => {
    const config = parse();
    expect(config.linkCheck.enabled).toBeUndefined();
    expect(linkCheckDeps(config)).toEqual({});
    expect(linkCheckDeps(loadConfig(undefined, '/nonexistent').config)).toEqual({});
    expect(loadConfig(EXAMPLE_CONFIG).config.linkCheck.enabled).not.toBe(true);
  });

  it('is on in the functions on AWS unless the config turns it off', () => {
    expect(onAws(parse()).linkCheck.enabled).toBe(true);
    expect(onAws(parse({ enabled: false })).linkCheck.enabled).toBe(false);
    const deps = linkCheckDeps(onAws(parse({ action: 'drop', keepFinalUrl: true })));
    expect(deps.linkCheck?.policy).toEqual({ action: 'drop', keepFinalUrl: true, holdDays: 14 });
    expect(deps.linkCheck?.deadlineMs).toBe(60_000);
  });

  it('names the key and the file for each bad value', () => {
    expect(problem({ action: 'delete' })).toBe(
      '/p/digest.config.json is not a valid config:\n  linkCheck.action: must be "drop", "hold" or "mark"',
    );
    expect(problem({ timeoutMs: 20_000, deadlineMs: 10_000 })).toContain(
      'linkCheck.deadlineMs: must be at least timeoutMs (20000)',
    );
    expect(problem({ keepFinalUrl: true, followRedirects: false })).toContain(
      'linkCheck.keepFinalUrl: needs followRedirects: true',
    );
    expect(problem({ perHost: 0 })).toContain('linkCheck.perHost: must be at least 1 (requests at once to one host)');
    expect(problem({ timeoutMs: 1.5 })).toContain(
      'linkCheck.timeoutMs: must be a whole number of milliseconds for one link, all its requests',
    );
    expect(problem({ enabled: 'yes' })).toContain('linkCheck.enabled: must be true or false');
    expect(problem({ retries: 3 })).toContain('linkCheck: not allowed here: unknown key "retries"');
  });
});
