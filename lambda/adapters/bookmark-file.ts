/** Bookmarks from a Pinboard JSON export file (Settings → backup), same shape as `posts/all`. */
import { readFile } from 'node:fs/promises';
import { SourceError } from '../core/errors';
import type { BookmarkSource, SourceResult } from '../ports/bookmark-source';
import { fromPinboardPosts } from './pinboard-post';

export class BookmarkFileSource implements BookmarkSource {
  readonly description: string;
  constructor(private readonly path: string) {
    this.description = `bookmark file ${path}`;
  }

  async fetchSince(_from: string): Promise<SourceResult> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (cause) {
      throw new SourceError(`cannot read bookmark file ${this.path}: ${(cause as Error).message}`, { cause });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new SourceError(`${this.path} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    return { bookmarks: fromPinboardPosts(raw, this.path), unchanged: false, warnings: [] };
  }
}
