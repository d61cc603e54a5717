/**
 * Writes the file every function ships: the validated config and the templates, MJML compiled here at
 * synth time (functions never load mjml: docs/FACTS.md: measured 7.5 MB bundles and 0.5 s cold loads with it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSiteTemplates } from '../lambda/adapters/site-templates';
import { DEFAULT_TEMPLATES_DIR, loadConfirmTemplates, loadTemplates } from '../lambda/adapters/template-files';
import type { LoadedConfig } from '../lambda/config';
import type { DigestBundle } from '../lambda/handlers/bundle';

export async function writeBundleFile(loaded: LoadedConfig, outDir: string, name: string): Promise<string> {
  const templatesDir = loaded.config.templates
    ? path.resolve(loaded.baseDir, loaded.config.templates)
    : DEFAULT_TEMPLATES_DIR;
  const bundle: DigestBundle = {
    // `deploy` (region, account, alarm address) is for the CDK app only: no function reads it.
    config: { ...loaded.config, deploy: undefined },
    templates: await loadTemplates(templatesDir),
    confirmTemplates: await loadConfirmTemplates(templatesDir),
    siteTemplates: await loadSiteTemplates(templatesDir),
  };
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.digest-bundle.json`);
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}
