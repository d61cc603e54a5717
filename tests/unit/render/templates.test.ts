import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RenderError } from '../../../lambda/core/errors';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../../lambda/render/templates';

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `pd-tpl-${name}-`));

describe('loadTemplates', () => {
  it('compiles MJML once and takes later loads of the same sources from the cache', async () => {
    const cache = temp('cache');
    const first = await loadTemplates(DEFAULT_TEMPLATES_DIR, cache);
    expect(first.html).toMatch(/^<!doctype html>/i);
    expect(first.html).toContain('{{#each sections}}');
    const [cached] = readdirSync(cache);
    expect(cached).toMatch(/^templates-[0-9a-f]{32}\.html$/);
    // Mark the cached copy: a second load must return it, so it did not run MJML again.
    writeFileSync(path.join(cache, cached ?? ''), '<!-- from the cache -->');
    expect((await loadTemplates(DEFAULT_TEMPLATES_DIR, cache)).html).toBe('<!-- from the cache -->');
  });

  it('compiles again when the MJML changes', async () => {
    const cache = temp('cache2');
    const dir = temp('dir');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    await loadTemplates(dir, cache);
    writeFileSync(
      path.join(dir, 'digest.mjml'),
      '<mjml><mj-body><mj-section><mj-column><mj-text>Changed {{title}}</mj-text></mj-column></mj-section></mj-body></mjml>',
    );
    expect((await loadTemplates(dir, cache)).html).toContain('Changed {{title}}');
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('names the file when MJML is invalid, and caches nothing', async () => {
    const cache = temp('cache3');
    const dir = temp('bad');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, 'digest.mjml'), '<mjml><mj-body><mj-bogus /></mj-body></mjml>');
    await expect(loadTemplates(dir, cache)).rejects.toThrow(RenderError);
    await expect(loadTemplates(dir, cache)).rejects.toThrow(
      new RegExp(`${path.join(dir, 'digest.mjml')}: invalid MJML`),
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it('names every missing template', async () => {
    const dir = temp('partial');
    cpSync(path.join(DEFAULT_TEMPLATES_DIR, 'digest.mjml'), path.join(dir, 'digest.mjml'));
    await expect(loadTemplates(dir, temp('cache4'))).rejects.toThrow(
      `cannot read template(s) in ${dir}: digest.txt.hbs (ENOENT), subject.hbs (ENOENT), preheader.hbs (ENOENT)`,
    );
  });
});
