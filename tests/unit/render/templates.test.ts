import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileTemplateCache } from '../../../lambda/adapters/template-cache';
import { DEFAULT_TEMPLATES_DIR, loadTemplates, readTemplateSources } from '../../../lambda/adapters/template-files';
import { RenderError } from '../../../lambda/core/errors';
import {
  checkHandlebars,
  compileTemplates,
  type TemplateCache,
  TemplateError,
  templateCacheKey,
} from '../../../lambda/render/templates';

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `pd-tpl-${name}-`));
const SMALL =
  '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{title}}</mj-text></mj-column></mj-section></mj-body></mjml>';
const MJML_FILE = path.join(DEFAULT_TEMPLATES_DIR, 'digest.mjml');
const sources = (html = SMALL) => ({ html, text: '{{title}}', subject: 'S', preheader: 'P' });

/** An in-memory cache that records what it was asked. */
function memoryCache(failing = false) {
  const entries = new Map<string, string>();
  const calls: string[] = [];
  const cache: TemplateCache = {
    get: async (key) => {
      calls.push(`get ${key}`);
      if (failing) throw new Error('disk on fire');
      return entries.get(key);
    },
    put: async (key, html) => {
      calls.push(`put ${key}`);
      if (failing) throw new Error('disk on fire');
      entries.set(key, html);
    },
  };
  return { cache, entries, calls };
}

describe('compileTemplates', () => {
  it('compiles MJML, hands the HTML to the cache, and takes it from there the next time', async () => {
    const { cache, entries, calls } = memoryCache();
    const first = await compileTemplates(sources(), MJML_FILE, cache);
    expect(first.html).toMatch(/^<!doctype html>/i);
    expect(first.html).toContain('Hi {{title}}');
    expect(first).toMatchObject({ text: '{{title}}', subject: 'S', preheader: 'P' });
    const key = templateCacheKey(SMALL);
    expect(calls).toEqual([`get ${key}`, `put ${key}`]);
    entries.set(key, '<!-- from the cache -->');
    expect((await compileTemplates(sources(), MJML_FILE, cache)).html).toBe('<!-- from the cache -->');
    expect(calls.slice(2)).toEqual([`get ${key}`]);
  });

  it('keys on the MJML source: a changed template compiles again', async () => {
    expect(templateCacheKey(SMALL)).toMatch(/^[0-9a-f]{32}$/);
    expect(templateCacheKey(SMALL.replace('Hi', 'Hello'))).not.toBe(templateCacheKey(SMALL));
  });

  it('still compiles when the cache fails both ways', async () => {
    const { cache, calls } = memoryCache(true);
    expect((await compileTemplates(sources(), MJML_FILE, cache)).html).toContain('Hi {{title}}');
    expect(calls).toHaveLength(2);
  });

  it('names the file when MJML is invalid, and caches nothing', async () => {
    const { cache, entries } = memoryCache();
    const bad = sources('<mjml><mj-body><mj-bogus /></mj-body></mjml>');
    await expect(compileTemplates(bad, MJML_FILE, cache)).rejects.toThrow(RenderError);
    await expect(compileTemplates(bad, MJML_FILE, cache)).rejects.toThrow(
      `${MJML_FILE}:1: invalid MJML: line 1 <mj-bogus>: Element mj-bogus doesn't exist`,
    );
    expect(entries.size).toBe(0);
  });
});

describe('loadTemplates with the file cache (adapters)', () => {
  it('writes one file per compiled source and reads it back instead of running MJML', async () => {
    const cacheDir = temp('cache');
    const first = await loadTemplates(DEFAULT_TEMPLATES_DIR, new FileTemplateCache(cacheDir));
    expect(first.html).toContain('{{#each sections}}');
    const [cached] = readdirSync(cacheDir);
    expect(cached).toMatch(/^templates-[0-9a-f]{32}\.html$/);
    writeFileSync(path.join(cacheDir, cached ?? ''), '<!-- from the cache -->');
    expect((await loadTemplates(DEFAULT_TEMPLATES_DIR, new FileTemplateCache(cacheDir))).html).toBe(
      '<!-- from the cache -->',
    );
  });

  it('compiles again when the MJML changes', async () => {
    const cacheDir = temp('cache2');
    const dir = temp('dir');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    await loadTemplates(dir, new FileTemplateCache(cacheDir));
    writeFileSync(path.join(dir, 'digest.mjml'), SMALL.replace('Hi', 'Changed'));
    expect((await loadTemplates(dir, new FileTemplateCache(cacheDir))).html).toContain('Changed {{title}}');
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('is only slower, never wrong, when the cache folder cannot be written', async () => {
    const blocked = path.join(temp('blocked'), 'a-file');
    writeFileSync(blocked, 'not a folder');
    const html = (await loadTemplates(DEFAULT_TEMPLATES_DIR, new FileTemplateCache(path.join(blocked, 'x')))).html;
    expect(html).toContain('{{#each sections}}');
  });

  it('names the MJML file and line when it is invalid', async () => {
    const dir = temp('bad');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'digest.mjml'),
      '<mjml><mj-body>\n<mj-section>\n<mj-bogus />\n</mj-section></mj-body></mjml>',
    );
    const failure = loadTemplates(dir, new FileTemplateCache(temp('cache3')));
    await expect(failure).rejects.toThrow(TemplateError);
    await expect(failure).rejects.toMatchObject({ file: path.join(dir, 'digest.mjml'), line: 3 });
    await expect(failure).rejects.toThrow(`${path.join(dir, 'digest.mjml')}:3: invalid MJML: line 3 <mj-bogus>`);
  });

  it('names the file and line of a Handlebars syntax error, in the MJML as the author wrote it', async () => {
    const dir = temp('bad-hbs');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    const mjml = path.join(dir, 'digest.mjml');
    const lines = readFileSync(mjml, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('{{#if intro}}'));
    lines[at] = (lines[at] ?? '').replace('{{#if intro}}', '{{#if intro}');
    writeFileSync(mjml, lines.join('\n'));
    const failure = loadTemplates(dir, new FileTemplateCache(temp('cache4')));
    await expect(failure).rejects.toMatchObject({ file: mjml, line: at + 1 });
    await expect(failure).rejects.toThrow(`${mjml}:${at + 1}: Handlebars syntax error`);
  });

  it('names the file, line and column of a block closed by the wrong name in the text part', async () => {
    const dir = temp('bad-txt');
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    const text = path.join(dir, 'digest.txt.hbs');
    writeFileSync(text, 'Hello\n{{#each sections}}\n{{title}}\n{{/if}}\n');
    await expect(loadTemplates(dir, new FileTemplateCache(temp('cache5')))).rejects.toThrow(
      `${text}:2:4: Handlebars: each doesn't match if`,
    );
  });

  it('says the end of the template came inside an unclosed block', () => {
    expect(() => checkHandlebars('a\n{{#if x}}\nb\n', 'x.hbs')).toThrow(
      /^x\.hbs:4: Handlebars syntax error: did not expect the end of the template/,
    );
  });

  it('names every missing template', async () => {
    const dir = temp('partial');
    cpSync(path.join(DEFAULT_TEMPLATES_DIR, 'digest.mjml'), path.join(dir, 'digest.mjml'));
    await expect(readTemplateSources(dir)).rejects.toThrow(
      `cannot read template(s) in ${dir}: digest.txt.hbs (ENOENT), subject.hbs (ENOENT), preheader.hbs (ENOENT)`,
    );
  });
});
