/** Reads the author's templates folder and compiles it, through the file cache unless told otherwise. */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../core/errors';
import { CONFIRM_TEMPLATE_FILES } from '../render/confirm-message';
import {
  type CompiledTemplates,
  checkTemplateSyntax,
  compileTemplates,
  TEMPLATE_FILES,
  type TemplateCache,
  type TemplateSources,
} from '../render/templates';
import { FileTemplateCache } from './template-cache';

/** The templates shipped with the project; `templates` in the config points elsewhere. */
export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

/** The file name of each template: the digest's (TEMPLATE_FILES) or the confirmation email's. */
export type TemplateFileNames = Record<keyof TemplateSources, string>;

/** Reads every template; one error lists each that cannot be read, in a fixed order. */
export async function readTemplateSources(
  dir: string,
  files: TemplateFileNames = TEMPLATE_FILES,
): Promise<TemplateSources> {
  const keys = ['html', 'text', 'subject', 'preheader'] as const;
  const names = keys.map((k) => files[k]);
  const results = await Promise.allSettled(names.map((name) => readFile(path.join(dir, name), 'utf8')));
  const problems = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]} (${(r.reason as NodeJS.ErrnoException).code ?? r.reason})`] : [],
  );
  if (problems.length > 0) throw new RenderError(`cannot read template(s) in ${dir}: ${problems.join(', ')}`);
  const [html = '', text = '', subject = '', preheader = ''] = results.map((r) =>
    r.status === 'fulfilled' ? r.value : '',
  );
  return { html, text, subject, preheader };
}

/** The templates of `dir`, MJML compiled (or taken from `cache` when this exact source was compiled before). */
export async function loadTemplates(
  dir: string = DEFAULT_TEMPLATES_DIR,
  cache: TemplateCache = new FileTemplateCache(),
  files: TemplateFileNames = TEMPLATE_FILES,
): Promise<CompiledTemplates> {
  const sources = await readTemplateSources(dir, files);
  // Handlebars first, on the author's files: an error names the file and line the author wrote.
  const paths = { html: '', text: '', subject: '', preheader: '' };
  for (const key of Object.keys(paths) as (keyof TemplateSources)[]) paths[key] = path.join(dir, files[key]);
  checkTemplateSyntax(sources, paths);
  return compileTemplates(sources, paths.html, cache);
}

/**
 * The confirmation email's templates (templates/confirm.*), compiled like the digest's. An author's folder
 * made before sign-ups existed has none: then the project's own are used.
 */
export async function loadConfirmTemplates(
  dir: string = DEFAULT_TEMPLATES_DIR,
  cache: TemplateCache = new FileTemplateCache(),
): Promise<CompiledTemplates> {
  const own = await access(path.join(dir, CONFIRM_TEMPLATE_FILES.html)).then(
    () => true,
    () => false,
  );
  return loadTemplates(own ? dir : DEFAULT_TEMPLATES_DIR, cache, CONFIRM_TEMPLATE_FILES);
}
