/**
 * What every function ships beside its code: the digest config and the templates, MJML already compiled
 * to HTML with Handlebars holes (infra/bundle-file.ts writes it at synth), so no function loads mjml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAMBDA_ENV, type LoadedConfig, parseConfig } from '../config';
import { ConfigError } from '../core/errors';
import type { CompiledTemplates } from '../render/templates';

export const BUNDLE_FILE_NAME = 'digest-bundle.json';

export interface DigestBundle {
  /** The author's config as written (validated again when read). */
  config: unknown;
  templates: CompiledTemplates;
}

/** Reads and validates the bundle: `DIGEST_BUNDLE_FILE`, else the file beside the handler. */
export function readBundle(env: NodeJS.ProcessEnv = process.env): {
  loaded: LoadedConfig;
  templates: CompiledTemplates;
} {
  const file = env[LAMBDA_ENV.bundleFile] ?? path.join(__dirname, BUNDLE_FILE_NAME);
  let bundle: DigestBundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8')) as DigestBundle;
  } catch (cause) {
    throw new ConfigError(`cannot read the digest bundle ${file}: ${(cause as Error).message}`, { cause });
  }
  const origin = `the deployed config (${file})`;
  const config = parseConfig(bundle.config, origin);
  const t = bundle.templates;
  if (![t?.html, t?.text, t?.subject, t?.preheader].every((s) => typeof s === 'string')) {
    throw new ConfigError(`${file}: templates are missing from the bundle`);
  }
  return { loaded: { config, origin, baseDir: path.dirname(file) }, templates: t };
}
