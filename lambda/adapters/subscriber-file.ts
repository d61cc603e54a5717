/**
 * Subscribers of the file store as JSON lines (`subscribers.jsonl`), read page by page so a send's
 * memory stays flat however long the list. Adds are appended; a status change rewrites the file
 * atomically (write + rename) under a lock. Order is insertion order and never changes, so a page
 * cursor (the offset and id of the last line read) survives rewrites: if the offset moved, the id is
 * found again by a scan.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Subscriber, SubscriberStatus } from '../core/model';
import { newSubscriberId } from '../core/tokens';
import {
  type AddResult,
  type NewSubscriber,
  newSubscriberRecord,
  type Release,
  type SubscriberPage,
} from '../ports/store';
import { parseJsonLine, readLineAt, readLines } from './line-file';

const parse = (text: string) => parseJsonLine<Subscriber>(text);

interface Cursor {
  offset: number;
  id: string;
}

/** Subscribers listed last whose place in the file is remembered (a send reads each again by id). */
const REMEMBERED = 4096;
/** How far a status change elsewhere in the file may have moved a remembered line (bytes either way). */
const NEAR = 64 * 1024;

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
const decode = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;

export class SubscriberFile {
  /** Where recently listed subscribers start, oldest first; bounded, so memory stays flat. */
  private readonly places = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly lock: (name: string, waitMs: number) => Promise<Release>,
  ) {}

  async *all(from = 0): AsyncGenerator<{ subscriber: Subscriber; start: number }> {
    for await (const line of readLines(this.file, from)) {
      const subscriber = parse(line.text);
      if (subscriber) yield { subscriber, start: line.start };
    }
  }

  async find(match: (s: Subscriber) => boolean): Promise<Subscriber | undefined> {
    for await (const { subscriber } of this.all()) if (match(subscriber)) return subscriber;
    return undefined;
  }

  /**
   * One subscriber by id, read from the file now (so a status change made meanwhile by another process
   * holds): at the place it was last listed with one small read, else near it (a rewrite moved it a
   * little), else by a scan of the whole file.
   */
  async get(id: string): Promise<Subscriber | undefined> {
    const place = this.places.get(id);
    if (place !== undefined) {
      const line = await readLineAt(this.file, place);
      const found = line === undefined ? undefined : parse(line);
      if (found?.id === id) return found;
      for await (const near of readLines(this.file, Math.max(0, place - NEAR))) {
        if (near.start > place + NEAR) break;
        const moved = parse(near.text);
        if (moved?.id === id) {
          this.remember(id, near.start);
          return moved;
        }
      }
    }
    for await (const { subscriber, start } of this.all()) {
      if (subscriber.id === id) {
        this.remember(id, start);
        return subscriber;
      }
    }
    return undefined;
  }

  private remember(id: string, start: number): void {
    this.places.delete(id);
    this.places.set(id, start);
    if (this.places.size > REMEMBERED) {
      const oldest = this.places.keys().next().value;
      if (oldest !== undefined) this.places.delete(oldest);
    }
  }

  /** Where reading continues after the cursor's line. */
  private async resume(cursor: Cursor): Promise<number> {
    for await (const line of readLines(this.file, cursor.offset)) {
      if (parse(line.text)?.id === cursor.id) return line.end;
      break;
    }
    for await (const line of readLines(this.file)) if (parse(line.text)?.id === cursor.id) return line.end;
    return Number.POSITIVE_INFINITY; // that subscriber is gone: nothing after it can be placed
  }

  async page(options: { status?: SubscriberStatus; cursor?: string; limit: number }): Promise<SubscriberPage> {
    const from = options.cursor ? await this.resume(decode(options.cursor)) : 0;
    const items: Subscriber[] = [];
    let last: Cursor | undefined;
    let more = false;
    if (from !== Number.POSITIVE_INFINITY) {
      for await (const { subscriber, start } of this.all(from)) {
        if (items.length >= options.limit) {
          more = true;
          break;
        }
        last = { offset: start, id: subscriber.id };
        if (!options.status || subscriber.status === options.status) {
          items.push(subscriber);
          this.remember(subscriber.id, start);
        }
      }
    }
    return { items, ...(more && last ? { cursor: encode(last) } : {}) };
  }

  /** Adds in one append; memory grows with the batch, not with the list. */
  async add(inputs: NewSubscriber[], at: string): Promise<AddResult[]> {
    const release = await this.lock('subscribers', 10_000);
    try {
      const wanted = new Map<string, Subscriber | undefined>(inputs.map((i) => [i.email.toLowerCase(), undefined]));
      for await (const { subscriber } of this.all()) {
        const key = subscriber.email.toLowerCase();
        if (wanted.has(key)) wanted.set(key, subscriber);
      }
      const lines: string[] = [];
      const results = inputs.map((input) => {
        const key = input.email.toLowerCase();
        const existing = wanted.get(key);
        if (existing) return { subscriber: existing, created: false };
        const subscriber = newSubscriberRecord(newSubscriberId(), input, at);
        wanted.set(key, subscriber);
        lines.push(JSON.stringify(subscriber));
        return { subscriber, created: true };
      });
      if (lines.length > 0) {
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        // A leading newline keeps a line torn by an earlier kill from swallowing the first new one.
        await fs.appendFile(this.file, `\n${lines.join('\n')}\n`, { mode: 0o600 });
      }
      return results;
    } finally {
      await release();
    }
  }

  /** Rewrites the file with one subscriber changed, streaming, then renames it into place. */
  async update(id: string, change: (s: Subscriber) => Subscriber): Promise<Subscriber | undefined> {
    const release = await this.lock('subscribers', 10_000);
    try {
      let updated: Subscriber | undefined;
      const tmp = `${this.file}.rewrite-${process.pid}`;
      const out = await fs.open(tmp, 'w', 0o600);
      try {
        let batch: string[] = [];
        for await (const { subscriber } of this.all()) {
          const next = subscriber.id === id ? change(subscriber) : subscriber;
          if (subscriber.id === id) updated = next;
          batch.push(JSON.stringify(next));
          if (batch.length >= 1000) {
            await out.write(`${batch.join('\n')}\n`);
            batch = [];
          }
        }
        if (batch.length) await out.write(`${batch.join('\n')}\n`);
        await out.sync();
      } finally {
        await out.close();
      }
      if (!updated) {
        await fs.rm(tmp, { force: true });
        return undefined;
      }
      await fs.rename(tmp, this.file);
      return updated;
    } finally {
      await release();
    }
  }
}
