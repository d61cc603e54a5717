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

it('synthesizes both stacks offline with cdk-nag clean, and every function bundle is small and mjml-free', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'pd-synth-'));
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-such' };
  const result = spawnSync('npm', ['run', 'synth', '--', '-o', out], { cwd: ROOT, env, encoding: 'utf8' });
  expect(`${result.stderr}`.includes('Synthesis finished with errors') ? result.stderr : '').toBe('');
  expect(result.status).toBe(0);
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
