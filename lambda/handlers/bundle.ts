/**
 * What every function ships beside its code: the digest config and the templates, MJML already compiled
 * to HTML with Handlebars holes (infra/bundle-file.ts writes it at synth), so no function loads mjml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DigestConfig, LoadedConfig } from '../config';
import { ConfigError } from '../core/errors';
import { LAMBDA_ENV } from '../env';
import type { SiteTemplates } from '../render/site-pages';
import type { CompiledTemplates } from '../render/templates';

export const BUNDLE_FILE_NAME = 'digest-bundle.json';

export interface DigestBundle {
  /** The author's config, validated and with its defaults filled in at synth (zod is not shipped). */
  config: DigestConfig;
  templates: CompiledTemplates;
  /** The confirmation email's (templates/confirm.*), for the subscription-api function. */
  confirmTemplates: CompiledTemplates;
  /** The archive's templates (templates/site/), for compose-issue; absent in a bundle made before the archive. */
  siteTemplates?: SiteTemplates;
}

const complete = (t: CompiledTemplates | undefined) =>
  [t?.html, t?.text, t?.subject, t?.preheader].every((s) => typeof s === 'string');

/** Reads and validates the bundle: `DIGEST_BUNDLE_FILE`, else the file beside the handler. */
export function readBundle(env: NodeJS.ProcessEnv = process.env): {
  loaded: LoadedConfig;
  templates: CompiledTemplates;
  confirmTemplates: CompiledTemplates;
  siteTemplates?: SiteTemplates;
} {
  const file = env[LAMBDA_ENV.bundleFile] ?? path.join(__dirname, BUNDLE_FILE_NAME);
  let bundle: DigestBundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8')) as DigestBundle;
  } catch (cause) {
    throw new ConfigError(`cannot read the digest bundle ${file}: ${(cause as Error).message}`, { cause });
  }
  const origin = `the deployed config (${file})`;
  const config = bundle.config;
  if (typeof config?.title !== 'string' || typeof config.from !== 'string' || typeof config.select !== 'object') {
    throw new ConfigError(`${file}: the config in the bundle is incomplete; deploy again with \`cdk deploy\``);
  }
  if (!complete(bundle.templates) || !complete(bundle.confirmTemplates)) {
    throw new ConfigError(`${file}: templates are missing from the bundle; deploy again with \`cdk deploy\``);
  }
  return {
    loaded: { config, origin, baseDir: path.dirname(file) },
    templates: bundle.templates,
    confirmTemplates: bundle.confirmTemplates,
    siteTemplates: bundle.siteTemplates,
  };
}
