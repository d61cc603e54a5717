import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_CONFIG, LINK_CHECK_DEFAULTS, loadConfig } from '../../lambda/config';
import { ConfigError } from '../../lambda/core/errors';
import { buildApp } from '../../lambda/wiring';

const valid = {
  title: 'T',
  siteUrl: 'https://t.example',
  from: 'T <t@t.example>',
  source: { type: 'pinboard-api', user: 'me' },
  transport: { type: 'outbox', dir: 'outbox' },
};

function write(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-config-'));
  const file = path.join(dir, 'digest.config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig', () => {
  it('fills defaults and freezes the result', () => {
    const { config } = loadConfig(write(valid));
    expect(config.select).toMatchObject({
      excludeTags: ['nodigest'],
      maxBookmarks: 50,
      firstIssueDays: 7,
      maxHtmlBytes: 95_000,
    });
    expect(config.otherSectionTitle).toBe('Everything else');
    expect(Object.isFrozen(config.select)).toBe(true);
  });

  // The defaults, written out once more here on purpose: a changed default fails this test (and the reference,
  // docs/configuration.md, regenerated from the schema, shows the new value).
  const EFFECTIVE_DEFAULTS = {
    lang: 'en',
    sourceFailure: 'skip',
    sourceLimits: { maxBodyBytes: 20_000_000 },
    linkCheck: {
      action: 'hold',
      timeoutMs: 10_000,
      deadlineMs: 60_000,
      concurrency: 16,
      perHost: 2,
      followRedirects: true,
      maxRedirects: 5,
      keepFinalUrl: false,
      holdDays: 14,
      allowPrivateHosts: false,
    },
    select: {
      includeTags: [],
      excludeTags: ['nodigest'],
      includeToRead: false,
      minBookmarks: 1,
      maxBookmarks: 50,
      firstIssueDays: 7,
      maxHtmlBytes: 95_000,
    },
    otherSectionTitle: 'Everything else',
    bounces: { transientLimit: 3 },
    subscriptions: { mailtoUnsubscribe: false, receiveReplies: false, perIpPerHour: 20, perAddressPerDay: 5 },
  };

  it('applies the documented defaults to a minimal config, and nothing else', () => {
    const { config } = loadConfig(write(valid));
    expect(config).toStrictEqual({ ...valid, ...EFFECTIVE_DEFAULTS });
    expect(LINK_CHECK_DEFAULTS).toStrictEqual(EFFECTIVE_DEFAULTS.linkCheck);
    expect(Object.isFrozen(LINK_CHECK_DEFAULTS)).toBe(true);
  });

  it('applies each key default inside a block given empty or in part, as when the block is left out', () => {
    const blocks = { sourceLimits: {}, linkCheck: {}, select: {}, bounces: {}, subscriptions: {} };
    expect(loadConfig(write({ ...valid, ...blocks })).config).toStrictEqual({ ...valid, ...EFFECTIVE_DEFAULTS });
    const partial = loadConfig(
      write({ ...valid, linkCheck: { perHost: 3 }, select: { maxBookmarks: 10 }, subscriptions: { perIpPerHour: 4 } }),
    ).config;
    expect(partial.linkCheck).toStrictEqual({ ...EFFECTIVE_DEFAULTS.linkCheck, perHost: 3 });
    expect(partial.select).toStrictEqual({ ...EFFECTIVE_DEFAULTS.select, maxBookmarks: 10 });
    expect(partial.subscriptions).toStrictEqual({ ...EFFECTIVE_DEFAULTS.subscriptions, perIpPerHour: 4 });
    const store = loadConfig(write({ ...valid, store: { type: 'dynamodb', table: 'digest' } })).config.store;
    expect(store).toStrictEqual({ type: 'dynamodb', table: 'digest', claimTtlSeconds: 600, lockLeaseSeconds: 60 });
    const schedule = loadConfig(write({ ...valid, schedule: { cron: '0 7 ? * SAT *' } })).config.schedule;
    expect(schedule).toStrictEqual({ cron: '0 7 ? * SAT *', timezone: 'UTC' });
  });

  it('still checks a block whose keys all have defaults (the rules across keys run on the defaults too)', () => {
    expect(() => loadConfig(write({ ...valid, linkCheck: { timeoutMs: 90_000 } }))).toThrow(
      /linkCheck\.deadlineMs: must be at least timeoutMs \(90000\)/,
    );
    expect(() => loadConfig(write({ ...valid, subscriptions: { receiveReplies: true } }))).toThrow(
      /subscriptions\.mailtoAddress/,
    );
  });

  it('names the file and the key of a bad value', () => {
    const file = write({ ...valid, select: { maxBookmarks: 0 } });
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(new RegExp(`${file}[\\s\\S]*select\\.maxBookmarks`));
  });

  it('lets SES read unsubscribe replies only at a mailbox of their own, and only when the mailto is offered', () => {
    const receive = { mailtoUnsubscribe: true, receiveReplies: true };
    expect(() => loadConfig(write({ ...valid, subscriptions: receive }))).toThrow(
      /subscriptions\.mailtoAddress[\s\S]*mailbox of its own/,
    );
    expect(() =>
      loadConfig(write({ ...valid, subscriptions: { receiveReplies: true, mailtoAddress: 'unsubscribe@t.example' } })),
    ).toThrow(/subscriptions\.mailtoUnsubscribe[\s\S]*must be true with receiveReplies/);
    const ok = loadConfig(write({ ...valid, subscriptions: { ...receive, mailtoAddress: 'unsubscribe@t.example' } }));
    expect(ok.config.subscriptions).toMatchObject({ receiveReplies: true, mailtoAddress: 'unsubscribe@t.example' });
  });

  it('takes where to deploy from "deploy": a region code, a 12-digit account, an alarm address', () => {
    const deploy = {
      region: 'eu-west-1',
      account: '123456789012',
      alarmEmail: 'ops@t.example',
      expectedSubscribers: 5000,
    };
    expect(loadConfig(write({ ...valid, deploy })).config.deploy).toEqual(deploy);
    expect(loadConfig(write({ ...valid, deploy: { region: 'us-gov-west-1' } })).config.deploy?.region).toBe(
      'us-gov-west-1',
    );
    expect(loadConfig(write(valid)).config.deploy).toBeUndefined();
    const bad = write({
      ...valid,
      deploy: { region: 'Ireland', account: '12345', alarmEmail: 'nobody', expectedSubscribers: 0, stage: 'x' },
    });
    expect(() => loadConfig(bad)).toThrow(/deploy\.region: must be an AWS region code/);
    expect(() => loadConfig(bad)).toThrow(/deploy\.account: must be a 12-digit AWS account id/);
    expect(() => loadConfig(bad)).toThrow(/deploy\.alarmEmail: must be an email address/);
    expect(() => loadConfig(bad)).toThrow(/deploy\.expectedSubscribers: must be at least 1/);
    expect(() => loadConfig(bad)).toThrow(/unknown key "stage"/);
  });

  it('rejects an unknown key by name', () => {
    const file = write({ ...valid, sectons: [] });
    expect(() => loadConfig(file)).toThrow(/unknown key "sectons"/);
  });

  it('rejects a non-http siteUrl and an unknown source type', () => {
    expect(() => loadConfig(write({ ...valid, siteUrl: 'javascript:alert(1)' }))).toThrow(
      /siteUrl: must be an http\(s\) URL/,
    );
    expect(() => loadConfig(write({ ...valid, source: { type: 'delicious' } }))).toThrow(/source\.type/);
  });

  it('caps source bodies at 20 MB unless sourceLimits.maxBodyBytes says otherwise', () => {
    expect(loadConfig(write(valid)).config.sourceLimits).toEqual({ maxBodyBytes: 20_000_000 });
    expect(loadConfig(write({ ...valid, sourceLimits: { maxBodyBytes: 50_000_000 } })).config.sourceLimits).toEqual({
      maxBodyBytes: 50_000_000,
    });
  });

  it.each([
    [0, /sourceLimits\.maxBodyBytes: must be at least 10000 bytes/],
    [2_000_000_000, /sourceLimits\.maxBodyBytes: must be at most 500000000 bytes/],
    [1_000_000.5, /sourceLimits\.maxBodyBytes: must be a whole number of bytes/],
    ['20MB', /sourceLimits\.maxBodyBytes: must be a number of bytes/],
  ])('rejects sourceLimits.maxBodyBytes %p by name', (value, message) => {
    const file = write({ ...valid, sourceLimits: { maxBodyBytes: value } });
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(message);
  });

  it('rejects an unknown key inside sourceLimits', () => {
    expect(() => loadConfig(write({ ...valid, sourceLimits: { maxBytes: 1 } }))).toThrow(
      /sourceLimits: not allowed here: unknown key "maxBytes"/,
    );
  });

  it('says where broken JSON is', () => {
    const file = write('{"title": "T",,}');
    expect(() => loadConfig(file)).toThrow(new RegExp(`${file} is not valid JSON`));
  });

  it('falls back to the embedded example when there is no config', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'pd-empty-'));
    expect(loadConfig(undefined, empty).origin).toContain(EXAMPLE_CONFIG);
  });
});

describe('several sources', () => {
  const linkding = { type: 'feed', url: 'https://links.example/feeds/SECRET/all' };
  const blog = { type: 'feed', url: 'https://blog.example/atom.xml' };

  it('accepts a list of sources and skips a failed one by default', () => {
    const { config } = loadConfig(write({ ...valid, source: [valid.source, linkding, blog] }));
    expect(config.source).toHaveLength(3);
    expect(config.sourceFailure).toBe('skip');
    expect(loadConfig(write({ ...valid, sourceFailure: 'stop' })).config.sourceFailure).toBe('stop');
  });

  it.each([
    [[valid.source, { type: 'feed', url: 'ftp://x.example/feed' }], /source\.1\.url: must be an http\(s\) URL/],
    [[valid.source, { type: 'delicious' }], /source\.1\.type: Invalid discriminator value/],
    [[linkding, blog, linkding], /source\.2: repeats source 0/],
    [[], /source: must list at least one source/],
    ['pinboard', /source: must be a source \(\{ "type": … \}\) or a list of sources/],
  ])('names a bad source list by entry: %j', (list, message) => {
    expect(() => loadConfig(write({ ...valid, source: list }))).toThrow(message);
  });

  it('rejects a sourceFailure other than skip or stop', () => {
    expect(() => loadConfig(write({ ...valid, sourceFailure: 'retry' }))).toThrow(
      /sourceFailure: must be "skip" or "stop"/,
    );
  });

  it('wires each source under an id that holds no secret and survives reordering; names them all', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'pd-s-'));
    const env = { PINBOARD_TOKEN: 'me:ABCDEF0123456789' };
    const app = buildApp(loadConfig(write({ ...valid, source: [valid.source, linkding, blog] })), {
      env,
      stateDir: state,
    });
    const ids = app.sources().map((s) => s.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.join()).not.toContain('SECRET');
    const reordered = buildApp(loadConfig(write({ ...valid, source: [blog, valid.source, linkding] })), {
      env,
      stateDir: state,
    });
    expect(reordered.sources().map((s) => s.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(app.source().description).toBe(
      '3 sources: Pinboard API (https://api.pinboard.in/v1, user me); feed https://links.example/feeds/SECRET/all; feed https://blog.example/atom.xml',
    );
  });

  it('links profile and tags to the first Pinboard source, and to none without one', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'pd-s-'));
    const rss = { type: 'pinboard-rss', user: 'maciej' };
    const app = buildApp(loadConfig(write({ ...valid, source: [blog, rss, valid.source] })), {
      env: {},
      stateDir: state,
    });
    expect(app.render.profileUrl).toBe('https://pinboard.in/u:maciej/');
    const feeds = buildApp(loadConfig(write({ ...valid, source: [blog, linkding] })), { env: {}, stateDir: state });
    expect(feeds.render.profileUrl).toBeUndefined();
    expect(feeds.render.tagUrl).toBeUndefined();
  });
});

describe('buildApp', () => {
  it('says which variable is missing for the Pinboard API, without asking for it before it is needed', () => {
    const app = buildApp(loadConfig(write(valid)), { env: {}, stateDir: mkdtempSync(path.join(tmpdir(), 'pd-s-')) });
    expect(() => app.source()).toThrow(/set PINBOARD_TOKEN/);
  });

  it('never puts the token in the source description', () => {
    const app = buildApp(loadConfig(write(valid)), {
      env: { PINBOARD_TOKEN: 'me:ABCDEF0123456789' },
      stateDir: mkdtempSync(path.join(tmpdir(), 'pd-s-')),
    });
    expect(app.source().description).not.toContain('ABCDEF0123456789');
  });

  it('names a feed by its URL without query values or user info', () => {
    const app = buildApp(
      loadConfig(
        write({ ...valid, source: { type: 'feed', url: 'https://me:pw@links.example/feed.xml?token=SECRET' } }),
      ),
      { env: {}, stateDir: mkdtempSync(path.join(tmpdir(), 'pd-s-')) },
    );
    expect(app.source().description).toBe('feed https://links.example/feed.xml?…');
  });
});

describe('the signing key', () => {
  const ses = { ...valid, source: { type: 'file', path: 'x.json' }, transport: { type: 'ses' } };
  const state = () => mkdtempSync(path.join(tmpdir(), 'pd-key-'));

  it('is required to send real mail, and must be long enough', () => {
    expect(() => buildApp(loadConfig(write(ses)), { env: {}, stateDir: state() }).message()).toThrow(
      /DIGEST_SIGNING_SECRET is not set/,
    );
    expect(() =>
      buildApp(loadConfig(write(ses)), { env: { DIGEST_SIGNING_SECRET: 'short' }, stateDir: state() }).message(),
    ).toThrow(/at least 32 characters/);
  });

  it('is not needed for a preview, which writes nothing', () => {
    const dir = state();
    const app = buildApp(loadConfig(write(ses)), { env: {}, stateDir: dir, readOnly: true });
    expect(app.message().secret).toHaveLength(43);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is made once and kept for the local outbox', () => {
    const dir = state();
    const first = buildApp(loadConfig(write(valid)), { env: {}, stateDir: dir }).message().secret;
    const again = buildApp(loadConfig(write(valid)), { env: {}, stateDir: dir }).message().secret;
    expect(again).toBe(first);
    expect(statSync(path.join(dir, 'signing.key')).mode & 0o777).toBe(0o600);
  });
});
