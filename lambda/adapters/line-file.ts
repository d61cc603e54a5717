/**
 * JSON-lines files (the ledger, the subscriber list): read line by line from a byte offset in fixed-size
 * chunks (memory stays flat), read one line at a known offset, append lines in order.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface Line {
  text: string;
  /** Byte offset where the line starts. */
  start: number;
  /** Byte offset just past its newline. */
  end: number;
}

const CHUNK = 16 * 1024;

/**
 * Lines from byte `from` on, through one buffer: a partial line at the end of a read moves to the front
 * and the next read fills in behind it (the buffer doubles only for a line longer than itself), so a scan
 * of a long file allocates one buffer, not two or three per read.
 */
export async function* readLines(file: string, from = 0): AsyncGenerator<Line> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    let buffer = Buffer.allocUnsafe(CHUNK);
    /** Bytes of a partial line at the front of the buffer. */
    let kept = 0;
    /** File offset of the buffer's first byte. */
    let base = from;
    for (;;) {
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, base + kept);
      if (bytesRead === 0) break;
      const filled = kept + bytesRead;
      let lineStart = 0;
      for (let i = buffer.indexOf(10); i !== -1 && i < filled; i = buffer.indexOf(10, lineStart)) {
        yield { text: buffer.toString('utf8', lineStart, i), start: base + lineStart, end: base + i + 1 };
        lineStart = i + 1;
      }
      buffer.copy(buffer, 0, lineStart, filled);
      kept = filled - lineStart;
      base += lineStart;
    }
    if (kept > 0) yield { text: buffer.toString('utf8', 0, kept), start: base, end: base + kept };
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

/**
 * The line that starts at byte `offset` (without its newline), read with a small positioned read; undefined
 * past the end of the file or for a line longer than `maxBytes`.
 */
export async function readLineAt(file: string, offset: number, maxBytes = 1 << 20): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    for (let size = 512; size <= maxBytes; size *= 2) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, offset);
      if (bytesRead === 0) return undefined;
      const end = buffer.subarray(0, bytesRead).indexOf(10);
      if (end !== -1) return buffer.toString('utf8', 0, end);
      if (bytesRead < size) return buffer.toString('utf8', 0, bytesRead);
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Appends lines to a file in the order asked, each burst of concurrent appends in one write (a kill leaves
 * every earlier line whole; a leading newline keeps a line torn by an earlier kill from swallowing the next).
 * Each caller learns the byte offset where its line starts. Offsets assume no other process appends at the
 * same moment; readers check the line they find there.
 */
export class LineAppender {
  private pending: { line: string; done: (start: number) => void; fail: (error: unknown) => void }[] = [];
  private flushing = false;
  private madeDir = false;

  constructor(private readonly file: string) {}

  /** Appends one line (no newline in it); resolves once it is written, with the offset where it starts. */
  append(line: string): Promise<number> {
    return new Promise((done, fail) => {
      this.pending.push({ line, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const burst = this.pending;
      this.pending = [];
      try {
        if (!this.madeDir) {
          await fs.mkdir(path.dirname(this.file), { recursive: true });
          this.madeDir = true;
        }
        const handle = await fs.open(this.file, 'a', 0o600);
        let at: number;
        try {
          at = (await handle.stat()).size;
          await handle.appendFile(burst.map((b) => `\n${b.line}\n`).join(''));
        } finally {
          await handle.close();
        }
        for (const b of burst) {
          b.done(at + 1);
          at += Buffer.byteLength(b.line) + 2;
        }
      } catch (error) {
        for (const b of burst) b.fail(error);
      }
    }
    this.flushing = false;
  }
}
