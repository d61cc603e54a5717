/**
 * The deployed profile (wiring.ts deployedProfile): the settings the stacks give every function, laid over the
 * author's config and checked by the config schema; and the adapters the composition root builds from it.
 */
import { SqsSendQueue } from '../../lambda/adapters/sqs-queue';
import { EXAMPLE_CONFIG, loadConfig } from '../../lambda/config';
import { ConfigError } from '../../lambda/core/errors';
import { buildApp, deployedProfile } from '../../lambda/wiring';

const ENV = {
  DIGEST_TABLE: 'digest-table',
  DIGEST_CONFIGURATION_SET: 'digest-set',
  DIGEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/send',
};
const example = () => loadConfig(EXAMPLE_CONFIG);

describe('the deployed profile', () => {
  it('puts the store on the table, the transport on SES with its configuration set, and the queue on SQS', () => {
    const { config, origin } = deployedProfile(example(), ENV);
    expect(config.store).toEqual({
      type: 'dynamodb',
      table: 'digest-table',
      claimTtlSeconds: 600,
      lockLeaseSeconds: 60,
    });
    expect(config.transport).toEqual({ type: 'ses', configurationSet: 'digest-set' });
    expect(config).toMatchObject({ queue: { type: 'sqs', url: ENV.DIGEST_QUEUE_URL } });
    expect(config.subscribersSeed).toBeUndefined();
    expect(origin).toMatch(/deployed$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps the author’s maxSendRate and the rest of the config', () => {
    const loaded = example();
    const withRate = {
      ...loaded,
      config: { ...loaded.config, transport: { type: 'ses' as const, maxSendRate: 14 } },
    };
    const { config } = deployedProfile(withRate, ENV);
    expect(config.transport).toEqual({ type: 'ses', configurationSet: 'digest-set', maxSendRate: 14 });
    expect(config.title).toBe(loaded.config.title);
    expect(config.sections).toEqual(loaded.config.sections);
  });

  it('names a variable the stack did not set', () => {
    const { DIGEST_QUEUE_URL: _, ...withoutQueue } = ENV;
    expect(() => deployedProfile(example(), withoutQueue)).toThrow(/DIGEST_QUEUE_URL is not set/);
  });

  it('is checked by the schema: a bad value the stack passed is an error naming the key', () => {
    const bad = () => deployedProfile(example(), { ...ENV, DIGEST_QUEUE_URL: 'sqs://nowhere' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/queue\.url: must be an http\(s\) URL/);
  });

  it('gives the composition root what it builds the SQS queue from; the CLI’s config keeps its own queue', () => {
    const deployed = buildApp(deployedProfile(example(), ENV), { env: {} });
    expect(deployed.queue()).toBeInstanceOf(SqsSendQueue);
    expect(deployed.queue()).toBe(deployed.queue());
    expect(deployed.queue().durable).toBe(true);
    const local = buildApp(example(), { env: {} });
    expect(local.queue().durable).toBe(false);
    expect(local.localQueue()).not.toBe(local.localQueue());
  });
});
