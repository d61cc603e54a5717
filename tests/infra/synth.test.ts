/**
 * `npm run synth` as CI runs it: offline, no credentials, bundling with the local esbuild (no Docker), cdk-nag
 * AwsSolutions as a validation plugin (any finding without a written reason fails the synth). Also checks
 * what ships: no mjml in any function, the compiled templates beside each handler, each bundle ≤ 1 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** No credentials and no region: the synth must not find either anywhere. */
const offline = () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: 'none-such',
  };
  delete env.AWS_REGION;
  delete env.AWS_DEFAULT_REGION;
  return env;
};
/** `cdk synth` as `npm run synth` runs it, with this test's own config and context (the script names its own). */
const synth = (...args: string[]) =>
  spawnSync(path.join(ROOT, 'node_modules/.bin/cdk'), ['synth', '--no-notices', '-q', ...args], {
    cwd: ROOT,
    env: {
      ...offline(),
      CDK_DISABLE_VERSION_CHECK: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    },
    encoding: 'utf8',
  });

it('synthesizes both stacks offline with cdk-nag clean, and every function bundle is small and mjml-free', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'pd-synth-'));
  const result = synth('-o', out, '-c', 'config=infra/synth.config.json', '-c', 'alarms=none');
  expect(`${result.stderr}`.includes('Synthesis finished with errors') ? result.stderr : '').toBe('');
  expect(result.status).toBe(0);
  // It says which region it assumed, and that alarms reach nobody.
  expect(result.stderr).toMatch(/no region given .*region-agnostic/);
  expect(result.stderr).toMatch(/alarms=none: .*reach nobody/);
  const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
  expect(templates.sort()).toEqual(['LinksIFound-Data.template.json', 'LinksIFound-Digest.template.json']);

  const assets = readdirSync(out).filter((f) => f.startsWith('asset.') && statSync(path.join(out, f)).isDirectory());
  const bundles = assets.filter((a) => existsSync(path.join(out, a, 'index.js')));
  expect(bundles).toHaveLength(4);
  for (const a of bundles) {
    const code = readFileSync(path.join(out, a, 'index.js'), 'utf8');
    expect(code.length).toBeLessThanOrEqual(1024 * 1024);
    expect(code).not.toMatch(/require\(["']mjml["']\)/);
    const bundle = JSON.parse(readFileSync(path.join(out, a, 'digest-bundle.json'), 'utf8'));
    expect(bundle.templates.html).toContain('{{');
    expect(bundle.templates.html).not.toContain('<mj-');
    // The confirmation email too: the subscription API sends it, and no function compiles MJML.
    expect(bundle.confirmTemplates.html).toContain('{{confirmUrl}}');
    expect(bundle.confirmTemplates.html).not.toContain('<mj-');
  }
}, 180_000);

it('refuses the bundled example without an alarm destination, naming both, before building anything', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'pd-synth-'));
  const result = synth('-o', out, '-c', 'config=examples/digest.config.json');
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/cannot be deployed as it is:\n {2}- source is a "file" source \(bookmarks\.json\)/);
  expect(result.stderr).toMatch(/\n {2}- no alarm destination/);
  expect(readdirSync(out).filter((f) => f.endsWith('.template.json'))).toEqual([]);
}, 60_000);
