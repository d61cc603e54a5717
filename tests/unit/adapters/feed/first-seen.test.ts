/** Undated feed items get the time they were first seen, kept per feed in one bounded Store memo. */
import { firstSeenKey, firstSeenTimes } from '../../../../lambda/adapters/feed/first-seen';

/** An in-memory stand-in for the Store's memo methods that records writes. */
function memoStore() {
  const values = new Map<string, string>();
  const writes: string[] = [];
  return {
    values,
    writes,
    getMemo: async (key: string) => values.get(key),
    putMemo: async (key: string, value: string) => {
      writes.push(key);
      values.set(key, value);
    },
  };
}

const FEED = 'https://feeds.example.com/rss?key=SECRET';
const T1 = '2026-11-20T09:00:00.123Z';
const T2 = '2026-11-27T09:00:00.456Z';

describe('firstSeenTimes', () => {
  it('dates a new link now and keeps that time on later runs, to the millisecond', async () => {
    const memo = memoStore();
    expect(await firstSeenTimes(['https://a.example.com/1'], T1, { memo, feedUrl: FEED })).toEqual([T1]);
    expect(
      await firstSeenTimes(['https://a.example.com/1', 'https://a.example.com/2'], T2, { memo, feedUrl: FEED }),
    ).toEqual([T1, T2]);
  });

  it('knows a link by its normalized form (fragment, utm_*, trailing slash, http vs https)', async () => {
    const memo = memoStore();
    await firstSeenTimes(['https://a.example.com/1/'], T1, { memo, feedUrl: FEED });
    expect(await firstSeenTimes(['http://A.example.com/1?utm_source=rss#top'], T2, { memo, feedUrl: FEED })).toEqual([
      T1,
    ]);
  });

  it('keeps one memo per feed, under a key and in a value that hold no URL', async () => {
    const memo = memoStore();
    await firstSeenTimes(['https://a.example.com/private-page'], T1, { memo, feedUrl: FEED });
    await firstSeenTimes(['https://a.example.com/private-page'], T2, { memo, feedUrl: 'https://other.example/feed' });
    expect(memo.values.size).toBe(2);
    const stored = JSON.stringify([...memo.values]);
    expect(stored).not.toMatch(/example|SECRET|private-page/);
    expect(firstSeenKey(FEED)).toMatch(/^feed-first-seen:[\w-]{16}$/);
  });

  it('forgets the links seen least recently first, beyond the limit', async () => {
    const memo = memoStore();
    const link = (i: number) => `https://a.example.com/${i}`;
    await firstSeenTimes([link(1), link(2), link(3)], T1, { memo, feedUrl: FEED, limit: 3 });
    // 1 is seen again (refreshed); 4 is new: 2, the least recently seen, is forgotten.
    await firstSeenTimes([link(1), link(4)], T2, { memo, feedUrl: FEED, limit: 3 });
    const later = '2026-12-04T00:00:00.000Z';
    expect(
      await firstSeenTimes([link(1), link(2), link(3), link(4)], later, { memo, feedUrl: FEED, limit: 4 }),
    ).toEqual([T1, later, T1, T2]);
  });

  it('reads but never writes in a preview', async () => {
    const memo = memoStore();
    await firstSeenTimes(['https://a.example.com/1'], T1, { memo, feedUrl: FEED });
    const writes = memo.writes.length;
    expect(
      await firstSeenTimes(['https://a.example.com/1', 'https://a.example.com/2'], T2, {
        memo,
        feedUrl: FEED,
        readOnly: true,
      }),
    ).toEqual([T1, T2]);
    expect(memo.writes).toHaveLength(writes);
  });

  it('treats an unreadable memo as empty rather than failing the run', async () => {
    const memo = memoStore();
    memo.values.set(firstSeenKey(FEED), '{not json');
    expect(await firstSeenTimes(['https://a.example.com/1'], T1, { memo, feedUrl: FEED })).toEqual([T1]);
    memo.values.set(firstSeenKey(FEED), JSON.stringify([['x', 'not a number'], 7, null]));
    expect(await firstSeenTimes(['https://a.example.com/1'], T2, { memo, feedUrl: FEED })).toEqual([T2]);
  });

  it('touches no memo when there is nothing undated', async () => {
    const memo = memoStore();
    expect(await firstSeenTimes([], T1, { memo, feedUrl: FEED })).toEqual([]);
    expect(memo.writes).toEqual([]);
  });
});
