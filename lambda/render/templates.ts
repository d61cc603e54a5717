/**
 * Loads the author's templates and compiles the MJML once into Handlebars source. The result is plain
 * strings, so it can be made at build time and shipped without mjml (REFERENCE.md: 0.5 s to load mjml).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../adapters/fs-util';
import { RenderError } from '../core/errors';

export interface CompiledTemplates {
  /** HTML with Handlebars expressions, the output of MJML. */
  html: string;
  text: string;
  subject: string;
  preheader: string;
}

/** The templates shipped with the project; `templates` in the config points elsewhere. */
export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

export const TEMPLATE_FILES = {
  html: 'digest.mjml',
  text: 'digest.txt.hbs',
  subject: 'subject.hbs',
  preheader: 'preheader.hbs',
} as const;

/** Reads every template; one error lists each that cannot be read, in a fixed order. */
async function readTemplates(dir: string): Promise<string[]> {
  const names = [TEMPLATE_FILES.html, TEMPLATE_FILES.text, TEMPLATE_FILES.subject, TEMPLATE_FILES.preheader];
  const results = await Promise.allSettled(names.map((name) => readFile(path.join(dir, name), 'utf8')));
  const problems = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]} (${(r.reason as NodeJS.ErrnoException).code ?? r.reason})`] : [],
  );
  if (problems.length > 0) throw new RenderError(`cannot read template(s) in ${dir}: ${problems.join(', ')}`);
  return results.map((r) => (r.status === 'fulfilled' ? r.value : ''));
}

interface WorkerAnswer {
  html?: string;
  failure?: string;
  errors: string[];
}

/**
 * Compiles MJML to HTML, strict, so a broken template stops the run instead of sending a broken email.
 * mjml runs in a worker thread: it adds about 60 MB that would otherwise stay for the whole send.
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

/** Where compiled templates are kept between runs, keyed by a hash of their sources and mjml's version. */
export const TEMPLATE_CACHE_DIR = path.resolve(__dirname, '../../node_modules/.cache/pinboard-digest');

function cacheKey(sources: string[]): string {
  let mjmlVersion = 'unknown';
  try {
    mjmlVersion = (require('mjml/package.json') as { version: string }).version;
  } catch {
    // mjml not installed (a bundle with precompiled templates): the sources alone key the cache
  }
  const hash = createHash('sha256').update(mjmlVersion);
  for (const s of sources) hash.update('\0').update(s);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Reads the four templates and compiles the MJML one, or takes the compiled HTML from the cache when
 * these exact sources were compiled before (no mjml in the process at all then). A cache that cannot
 * be read or written is only slower, never wrong.
 */
export async function loadTemplates(
  dir: string = DEFAULT_TEMPLATES_DIR,
  cacheDir = TEMPLATE_CACHE_DIR,
): Promise<CompiledTemplates> {
  const [mjml = '', text = '', subject = '', preheader = ''] = await readTemplates(dir);
  const cacheFile = path.join(cacheDir, `templates-${cacheKey([mjml])}.html`);
  let html = await readFile(cacheFile, 'utf8').catch(() => undefined);
  if (html === undefined) {
    html = await compileMjml(mjml, path.join(dir, TEMPLATE_FILES.html));
    await mkdir(cacheDir, { recursive: true })
      .then(() => writeFileAtomic(cacheFile, html ?? ''))
      .catch(() => {});
  }
  return { html, text, subject, preheader };
}
