/** Keeps compiled templates on disk between runs, so most runs never load mjml (docs/FACTS.md: 0.5 s). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TemplateCache } from '../render/templates';
import { writeFileAtomic } from './fs-util';

/** Where compiled templates are kept: a cache folder npm and git already ignore. */
export const TEMPLATE_CACHE_DIR = path.resolve(__dirname, '../../node_modules/.cache/pinboard-digest');

/** One file per key (`templates-KEY.html`), written atomically so a killed run never leaves half of one. */
export class FileTemplateCache implements TemplateCache {
  constructor(private readonly dir: string = TEMPLATE_CACHE_DIR) {}

  private file(key: string): string {
    return path.join(this.dir, `templates-${key}.html`);
  }

  get(key: string): Promise<string | undefined> {
    return readFile(this.file(key), 'utf8').catch(() => undefined);
  }

  put(key: string, html: string): Promise<void> {
    return writeFileAtomic(this.file(key), html);
  }
}
