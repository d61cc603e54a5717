/** Reads a text file line by line from a byte offset, in fixed-size chunks: memory stays flat. */
import { promises as fs } from 'node:fs';

export interface Line {
  text: string;
  /** Byte offset where the line starts. */
  start: number;
  /** Byte offset just past its newline. */
  end: number;
}

const CHUNK = 64 * 1024;

export async function* readLines(file: string, from = 0): AsyncGenerator<Line> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(CHUNK);
    let pending = Buffer.alloc(0);
    let pendingStart = from;
    let position = from;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = Buffer.concat([pending, buffer.subarray(0, bytesRead)]);
      let lineStart = 0;
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, lineStart)) {
        const start = pendingStart + lineStart;
        yield { text: data.toString('utf8', lineStart, i), start, end: pendingStart + i + 1 };
        lineStart = i + 1;
      }
      pendingStart += lineStart;
      data = data.subarray(lineStart);
      pending = Buffer.from(data);
    }
    if (pending.length > 0)
      yield { text: pending.toString('utf8'), start: pendingStart, end: pendingStart + pending.length };
  } finally {
    await handle.close();
  }
}

/**
 * One line of an append-only JSON-lines file, or undefined for a blank line or one torn by a kill
 * during an append (the write it records never completed).
 */
export function parseJsonLine<T>(text: string): T | undefined {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
