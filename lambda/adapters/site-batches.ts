/** The write order every site adapter keeps: batch after batch, up to `concurrency` files at once within one. */
import type { SiteBatches, SiteFile } from '../core/site';

export async function writeInBatches(
  batches: SiteBatches,
  concurrency: number,
  write: (file: SiteFile) => Promise<void>,
): Promise<number> {
  let written = 0;
  for (const batch of batches) {
    const queue = [...batch];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await write(file);
        written += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }
  return written;
}
