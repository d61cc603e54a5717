/**
 * PinboardApiSource over memos that are not what it wrote (a hand edit, a torn write): it reads them as none
 * (ports/memo-kinds.ts) and calls Pinboard as a first run would, then writes valid memos back, instead of
 * failing every run until someone edits the store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lambda/adapters/file-store';
import { PinboardApiSource } from '../../lambda/adapters/pinboard-api';
import { readMemo } from '../../lambda/ports/memo';
import { PINBOARD_LAST_CALL, PINBOARD_POSTS_ALL } from '../../lambda/ports/memo-kinds';
import { hoursAgo, rawPost as post } from '../helpers/pinboard-posts';
import { startPinboardServer } from './servers/pinboard-server';

const TOKEN = 'tester:0123456789ABCDEF0123';

async function setup() {
  const server = await startPinboardServer({
    token: TOKEN,
    posts: [post(10, 1), post(5, 2, { shared: 'no', description: 'PRIVATE' })],
    minIntervalMs: 150,
    allIntervalMs: 60_000,
  });
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-pinboard-memo-')));
  const source = new PinboardApiSource({
    baseUrl: server.url,
    token: TOKEN,
    memo: store,
    minIntervalMs: 150,
    allIntervalMs: 60_000,
    timeoutMs: 2000,
    retry: { attempts: 2, baseDelayMs: 150, maxDelayMs: 300, jitter: 0 },
  });
  return { server, store, source };
}

describe('PinboardApiSource over unreadable memos', () => {
  it('calls posts/all again when the remembered answer is not one, and remembers a valid one', async () => {
    const { server, store, source } = await setup();
    try {
      // A recent time (so a valid answer would be reused) and a torn answer.
      await store.putMemo('pinboard-api:tester:posts-all', `{"at":${Date.now()},"fromdt":"2026-`);
      const result = await source.fetchSince(hoursAgo(24));
      expect(result.bookmarks.map((b) => b.title)).toEqual(['PRIVATE', 'Post 1']);
      expect(server.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['posts/update 200', 'posts/all 200']);
      const saved = await readMemo(store, PINBOARD_POSTS_ALL, 'tester');
      expect(saved?.bookmarks.map((b) => b.title)).toEqual(['Post 1']);
    } finally {
      await server.stop();
    }
  });

  it('paces from no earlier call when the last call time is not a number, and stamps a valid one', async () => {
    const { server, store, source } = await setup();
    try {
      await store.putMemo('pinboard-api:tester:last-call', 'later');
      const before = Date.now();
      await source.lastUpdate();
      expect(server.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['posts/update 200']);
      expect(await readMemo(store, PINBOARD_LAST_CALL, 'tester')).toBeGreaterThanOrEqual(before);
    } finally {
      await server.stop();
    }
  });
});
