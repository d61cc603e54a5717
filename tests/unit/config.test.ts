import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_CONFIG, loadConfig } from '../../lambda/config';
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

  it('names the file and the key of a bad value', () => {
    const file = write({ ...valid, select: { maxBookmarks: 0 } });
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(new RegExp(`${file}[\\s\\S]*select\\.maxBookmarks`));
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
