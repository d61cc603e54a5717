/**
 * Compiles the author's MJML once into Handlebars source. The result is plain strings, so it can be
 * made at build time and shipped without mjml (docs/FACTS.md: 0.5 s to load mjml).
 *
 * Rendering only returns values: reading the template files and keeping compiled HTML between runs are
 * adapters' work (`adapters/template-files.ts`, `adapters/template-cache.ts`), handed in as data and as a
 * `TemplateCache`. tests/unit/architecture.test.ts keeps it so.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Handlebars from 'handlebars';
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

/**
 * A template that does not compile, saying where: `file:line: detail` (the line when MJML or Handlebars
 * tells it), with the offending source line under it when Handlebars shows one.
 */
export class TemplateError extends RenderError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly detail: string;
  constructor(where: { file: string; line?: number; column?: number }, detail: string, excerpt?: string) {
    const at = where.line ? `:${where.line}${where.column !== undefined ? `:${where.column}` : ''}` : '';
    super(`${where.file}${at}: ${detail}${excerpt ? `\n${excerpt}` : ''}`);
    // Reported as the RenderError it is, as before: this class only adds where.
    this.name = 'RenderError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.detail = detail;
  }
}

/** What Handlebars' parser calls the token it did not expect, in words. */
const TOKEN_WORDS: Record<string, string> = {
  EOF: 'the end of the template (a {{#block}} or {{ is not closed)',
  INVALID: 'a character that cannot start an expression',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  INVERSE: '{{else}}',
  OPEN_ENDBLOCK: 'a closing {{/…}}',
};

/**
 * Parses a template with Handlebars (MJML included, before MJML runs: so a line number is the author's, not
 * one in MJML's output) and names file and line of a syntax error.
 */
export function checkHandlebars(source: string, file: string): void {
  try {
    Handlebars.parse(source);
  } catch (cause) {
    const error = cause as Error & { lineNumber?: number; column?: number };
    const parse = /^Parse error on line (\d+):\n([\s\S]*?\n-*\^)\n[\s\S]*got '(\w+)'/.exec(error.message);
    if (parse) {
      const token = parse[3] ?? '';
      const excerpt = (parse[2] ?? '')
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
      throw new TemplateError(
        { file, line: Number(parse[1]) },
        `Handlebars syntax error: did not expect ${TOKEN_WORDS[token] ?? token.toLowerCase()}`,
        excerpt,
      );
    }
    const detail = `Handlebars: ${error.message.replace(/ - \d+:\d+$/, '')}`;
    throw new TemplateError(
      { file, line: error.lineNumber, column: error.column === undefined ? undefined : error.column + 1 },
      detail,
    );
  }
}

/** Every template of a folder parsed by Handlebars; `files` are their paths, for errors. */
export function checkTemplateSyntax(sources: TemplateSources, files: Record<keyof TemplateSources, string>): void {
  for (const key of ['html', 'text', 'subject', 'preheader'] as const) checkHandlebars(sources[key], files[key]);
}

/** `Line 3 of /dir (mj-bogus) — Element mj-bogus doesn't exist…`: MJML's message, which names the folder only. */
const MJML_MESSAGE = /^Line (\d+) of .*? \(([^)]*)\) — ([\s\S]*)$/;

/** MJML's validation errors as one TemplateError at the first one's line, each listed with its own line. */
function mjmlError(file: string, errors: readonly string[]): TemplateError {
  const parsed = errors.map((e) => MJML_MESSAGE.exec(e));
  const first = parsed[0];
  const detail = parsed.map((m, i) => (m ? `line ${m[1]} <${m[2]}>: ${m[3]}` : (errors[i] ?? ''))).join('; ');
  return new TemplateError({ file, line: first ? Number(first[1]) : undefined }, `invalid MJML: ${detail}`);
}

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
  if (answer.errors.length > 0) throw mjmlError(file, answer.errors);
  if (answer.failure !== undefined || answer.html === undefined) {
    throw new TemplateError({ file }, `invalid MJML: ${answer.failure ?? 'no output'}`);
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
