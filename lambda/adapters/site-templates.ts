/** Reads the site's templates (templates/site/); an author's folder without a site/ folder gets the project's. */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../core/errors';
import { SITE_TEMPLATE_FILES, type SiteTemplates } from '../render/site-pages';
import { DEFAULT_TEMPLATES_DIR } from './template-files';

export const SITE_TEMPLATES_FOLDER = 'site';

/** The site templates of `templatesDir`/site, else of the project's templates/site. */
export async function loadSiteTemplates(templatesDir: string = DEFAULT_TEMPLATES_DIR): Promise<SiteTemplates> {
  const own = path.join(templatesDir, SITE_TEMPLATES_FOLDER);
  const dir = await access(own).then(
    () => own,
    () => path.join(DEFAULT_TEMPLATES_DIR, SITE_TEMPLATES_FOLDER),
  );
  const keys = Object.keys(SITE_TEMPLATE_FILES) as (keyof SiteTemplates)[];
  const results = await Promise.allSettled(keys.map((k) => readFile(path.join(dir, SITE_TEMPLATE_FILES[k]), 'utf8')));
  const problems = results.flatMap((r, i) =>
    r.status === 'rejected'
      ? [
          `${SITE_TEMPLATE_FILES[keys[i] as keyof SiteTemplates]} (${(r.reason as NodeJS.ErrnoException).code ?? r.reason})`,
        ]
      : [],
  );
  if (problems.length > 0) throw new RenderError(`cannot read site template(s) in ${dir}: ${problems.join(', ')}`);
  return Object.fromEntries(
    keys.map((k, i) => [k, (results[i] as PromiseFulfilledResult<string>).value]),
  ) as unknown as SiteTemplates;
}
