/**
 * Compiles the author's MJML once into Handlebars source. The result is plain strings, so it can be
 * made at build time and shipped without mjml (REFERENCE.md: 0.5 s to load mjml).
 *
 * Rendering only returns values: reading the template files and keeping compiled HTML between runs are
 * adapters' work (`adapters/template-files.ts`, `adapters/template-cache.ts`), handed in as data and as a
 * `TemplateCache`. tests/unit/architecture.test.ts keeps it so.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RenderError } from '../core/errors';

/** The four template sources as the author wrote them. */
export interface TemplateSources {
  /** MJML with Handlebars expressions. */
  html: string;
  text: string;
  subject: string;
  preheader: string;
}

export interface CompiledTemplates {
  /** HTML with Handlebars expressions, the output of MJML. */
  html: string;
  text: string;
  subject: string;
  preheader: string;
}

/**
 * Compiled HTML kept between runs, keyed by `templateCacheKey`. Either call may fail: a cache that
 * cannot be read or written only makes the run slower, never wrong.
 */
export interface TemplateCache {
  get(key: string): Promise<string | undefined>;
  put(key: string, html: string): Promise<void>;
}

/** No cache: MJML runs every time. */
export const NO_TEMPLATE_CACHE: TemplateCache = {
  get: async () => undefined,
  put: async () => {},
};

/** The file names a templates folder holds. */
export const TEMPLATE_FILES = {
  html: 'digest.mjml',
  text: 'digest.txt.hbs',
  subject: 'subject.hbs',
  preheader: 'preheader.hbs',
} as const;

interface WorkerAnswer {
  html?: string;
  failure?: string;
  errors: string[];
}

/**
 * Compiles MJML to HTML, strict, so a broken template stops the run instead of sending a broken email.
 * mjml runs in a worker thread: it adds about 60 MB that would otherwise stay for the whole send.
 * `file` names the template in errors (and lets mj-include resolve relative paths).
 */
export async function compileMjml(source: string, file: string): Promise<string> {
  const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'mjml-worker.js'), {
      workerData: { source, options: { validationLevel: 'strict', filePath: file, keepComments: false } },
    });
    worker.once('message', (message: WorkerAnswer) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  }).catch((cause: unknown) => {
    throw new RenderError(`${file}: MJML could not run: ${(cause as Error).message}`, { cause });
  });
  if (answer.failure !== undefined || answer.errors.length > 0 || answer.html === undefined) {
    const detail = answer.errors.length > 0 ? answer.errors.join('; ') : (answer.failure ?? 'no output');
    throw new RenderError(`${file}: invalid MJML: ${detail}`);
  }
  return answer.html;
}

/** Keys compiled HTML by the MJML source and mjml's version, so an upgrade of either compiles again. */
export function templateCacheKey(mjml: string): string {
  let mjmlVersion = 'unknown';
  try {
    mjmlVersion = (require('mjml/package.json') as { version: string }).version;
  } catch {
    // mjml not installed (a bundle with precompiled templates): the source alone keys the cache
  }
  return createHash('sha256').update(mjmlVersion).update('\0').update(mjml).digest('hex').slice(0, 32);
}

/**
 * Compiles the MJML template, or takes the compiled HTML from `cache` when this exact source was
 * compiled before (no mjml in the process at all then). `mjmlFile` names the template in errors.
 */
export async function compileTemplates(
  sources: TemplateSources,
  mjmlFile: string,
  cache: TemplateCache = NO_TEMPLATE_CACHE,
): Promise<CompiledTemplates> {
  const key = templateCacheKey(sources.html);
  let html = await cache.get(key).catch(() => undefined);
  if (html === undefined) {
    html = await compileMjml(sources.html, mjmlFile);
    await cache.put(key, html).catch(() => {});
  }
  return { html, text: sources.text, subject: sources.subject, preheader: sources.preheader };
}
