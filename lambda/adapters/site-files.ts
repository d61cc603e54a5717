/** The archive as files under a folder (`out/site/` by default): what `send` and `preview` write locally. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SiteBatches, SiteFile } from '../core/site';
import type { SitePublisher } from '../ports/site';
import { writeInBatches } from './site-batches';

/** Files written at once within a batch. */
const CONCURRENCY = 8;

export class FileSitePublisher implements SitePublisher {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `files in ${root}`;
  }

  /** The absolute path a site file is written to; a path that would leave the root is refused. */
  fileFor(sitePath: string): string {
    const file = path.resolve(this.root, ...sitePath.split('/'));
    if (!file.startsWith(path.resolve(this.root) + path.sep))
      throw new Error(`site path outside the site: ${sitePath}`);
    return file;
  }

  publish(batches: SiteBatches): Promise<number> {
    return writeInBatches(batches, CONCURRENCY, (file) => this.write(file));
  }

  /** Written beside, then renamed over: a reader (or a static server) sees the old file or the new one. */
  private async write(file: SiteFile): Promise<void> {
    const target = this.fileFor(file.path);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, file.body, { mode: 0o644 });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}
