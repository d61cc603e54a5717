/**
 * Typed memos (lambda/ports/memo.ts, memo-kinds.ts): each kind keeps today's keys and bytes, so existing
 * stores read back, and each refuses, or reads as none, a stored value that is not one of its values.
 */
import { StoreError } from '../../../lambda/core/errors';
import type { Bookmark } from '../../../lambda/core/model';
import { type MemoKind, readMemo, writeMemo } from '../../../lambda/ports/memo';
import {
  ENQUEUE_PROGRESS,
  type EnqueueProgress,
  FEED_FIRST_SEEN,
  PINBOARD_LAST_CALL,
  PINBOARD_POSTS_ALL,
  SIGNUP_ADDRESS,
  SIGNUP_IP,
  SOFT_BOUNCES,
  SOURCE_CURSORS,
} from '../../../lambda/ports/memo-kinds';

/** Memos in a Map, recording each write's arguments. */
function memos(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  const writes: unknown[][] = [];
  return {
    values,
    writes,
    getMemo: async (key: string) => values.get(key),
    putMemo: async (...args: [string, string, number?]) => {
      writes.push(args);
      values.set(args[0], args[1]);
    },
  };
}

/** What reading `text` stored under `kind`'s key for `id` gives. */
const readStored = <T, Id>(kind: MemoKind<T, Id>, id: Id, text: string) =>
  readMemo(memos({ [kind.key(id)]: text }), kind, id);

const BOOKMARK: Bookmark = {
  url: 'https://a.example/',
  title: 'A',
  note: 'n',
  tags: ['t', '.private'],
  savedAt: '2026-11-20T09:00:00Z',
  shared: true,
  toread: false,
};

describe('readMemo and writeMemo', () => {
  it('read no memo, and an empty one, as none', async () => {
    expect(await readMemo(memos(), SOFT_BOUNCES, 's1')).toBeUndefined();
    expect(await readStored(SOFT_BOUNCES, 's1', '')).toBeUndefined();
  });

  it('refuse an invalid value of a refusing kind, naming the key, the kind, the reason and the value', async () => {
    const read = readStored(ENQUEUE_PROGRESS, 7, '{"recipients":"many"}');
    await expect(read).rejects.toThrow(StoreError);
    await expect(read).rejects.toThrow(
      'memo "enqueue:7" (enqueue progress) holds no valid value (recipients, batches or round is not a count): ' +
        '"{\\"recipients\\":\\"many\\"}"; delete it from the store to start that state over',
    );
    await expect(readStored(SOFT_BOUNCES, 's1', '[not json')).rejects.toThrow(
      /memo "soft-bounces:s1" \(soft bounces\)/,
    );
  });

  it('cut a long invalid value short in the message', async () => {
    const long = `{"x":"${'y'.repeat(500)}"`;
    await expect(readStored(SOFT_BOUNCES, 's1', long)).rejects.toThrow(/y{70}…"; delete it/);
  });

  it('read an invalid value of a kind that may start over as none', async () => {
    expect(await readStored(PINBOARD_POSTS_ALL, 'u', '{"at": 1, "fro')).toBeUndefined();
  });

  it('write the kind’s text under its key, with the expiry only when there is one', async () => {
    const m = memos();
    await writeMemo(m, SOFT_BOUNCES, 's1', ['2026-11-21T07:00:00.000Z']);
    await writeMemo(m, SIGNUP_IP, 'k3', { start: 1764000000, count: 2 }, 1764007200);
    expect(m.writes).toEqual([
      ['soft-bounces:s1', '["2026-11-21T07:00:00.000Z"]'],
      ['signup:ip:k3', '1764000000:2', 1764007200],
    ]);
  });
});

describe('memo kinds', () => {
  it('keep the keys existing stores hold', () => {
    expect(ENQUEUE_PROGRESS.key(12)).toBe('enqueue:12');
    expect(SOURCE_CURSORS.key()).toBe('source-cursors');
    expect(FEED_FIRST_SEEN.key('AbC')).toBe('feed-first-seen:AbC');
    expect(PINBOARD_LAST_CALL.key('maciej')).toBe('pinboard-api:maciej:last-call');
    expect(PINBOARD_POSTS_ALL.key('maciej')).toBe('pinboard-api:maciej:posts-all');
    expect(SIGNUP_IP.key('2s')).toBe('signup:ip:2s');
    expect(SIGNUP_ADDRESS.key('s1')).toBe('signup:s:s1');
    expect(SOFT_BOUNCES.key('s1')).toBe('soft-bounces:s1');
  });

  describe('enqueue progress (refused when invalid)', () => {
    // The texts enqueueIssue wrote before memos were typed: a page saved, then done.
    const midway = '{"recipients":100,"batches":2,"done":false,"round":0,"cursor":"c1"}';
    const done = '{"recipients":230,"batches":5,"done":true,"round":1}';

    it('reads what was stored and writes the same bytes back', async () => {
      const progress = await readStored(ENQUEUE_PROGRESS, 1, midway);
      expect(progress).toEqual({ recipients: 100, batches: 2, done: false, round: 0, cursor: 'c1' });
      expect(ENQUEUE_PROGRESS.format(progress as EnqueueProgress)).toBe(midway);
      // enqueueIssue's last write: the progress read, its cursor cleared.
      const finished = (await readStored(ENQUEUE_PROGRESS, 1, done)) as EnqueueProgress;
      expect(ENQUEUE_PROGRESS.format({ ...finished, cursor: undefined, done: true })).toBe(done);
    });

    it.each([
      ['not JSON', '{"recipients":1'],
      ['an array', '[1,2]'],
      ['no round', '{"recipients":1,"batches":1,"done":false}'],
      ['done not a boolean', '{"recipients":1,"batches":1,"done":"yes","round":0}'],
      ['a cursor not a string', '{"recipients":1,"batches":1,"done":false,"round":0,"cursor":5}'],
      ['a negative count', '{"recipients":-1,"batches":1,"done":false,"round":0}'],
    ])('refuses %s', async (_, text) => {
      await expect(readStored(ENQUEUE_PROGRESS, 3, text)).rejects.toThrow(/memo "enqueue:3"/);
    });
  });

  describe('source cursors (read leniently)', () => {
    const stored =
      '{"4":{"feed:a":{"from":"2026-11-20T00:00:00.000Z","state":{"etag":"\\"x\\""}},"feed:b":{"from":"2026-11-21T00:00:00.000Z"}}}';

    it('reads what was stored and writes the same bytes back', async () => {
      const cursors = await readStored(SOURCE_CURSORS, undefined, stored);
      expect(cursors).toEqual({
        '4': {
          'feed:a': { from: '2026-11-20T00:00:00.000Z', state: { etag: '"x"' } },
          'feed:b': { from: '2026-11-21T00:00:00.000Z' },
        },
      });
      expect(SOURCE_CURSORS.format(cursors ?? {})).toBe(stored);
    });

    it('leaves out an odd issue, cursor or state and keeps the rest; an unreadable memo is none', async () => {
      const odd = JSON.stringify({
        '3': 'nope',
        '4': {
          good: { from: '2026-11-20T00:00:00.000Z', state: { etag: 'e', count: 3 } },
          noDate: { from: 'yesterday' },
          notObject: 7,
        },
      });
      expect(await readStored(SOURCE_CURSORS, undefined, odd)).toEqual({
        '4': { good: { from: '2026-11-20T00:00:00.000Z' } },
      });
      expect(await readStored(SOURCE_CURSORS, undefined, '{"4":')).toBeUndefined();
      expect(await readStored(SOURCE_CURSORS, undefined, '[]')).toBeUndefined();
    });
  });

  describe('feed first-seen times (read leniently)', () => {
    it('reads what was stored, leaves out odd pairs, and writes pairs back as they were', async () => {
      const stored = '[["h1",1763629200123],["h2",1764234000456]]';
      expect(await readStored(FEED_FIRST_SEEN, 'f', stored)).toEqual([
        ['h1', 1763629200123],
        ['h2', 1764234000456],
      ]);
      expect(
        FEED_FIRST_SEEN.format([
          ['h1', 1763629200123],
          ['h2', 1764234000456],
        ]),
      ).toBe(stored);
      expect(await readStored(FEED_FIRST_SEEN, 'f', '[["x","not a number"],7,null,["ok",5]]')).toEqual([['ok', 5]]);
      expect(await readStored(FEED_FIRST_SEEN, 'f', '{"h1":1}')).toBeUndefined();
    });
  });

  describe('Pinboard (read as none when invalid: the call is made again)', () => {
    it('reads the last call time as stored, and none for text that is no number', async () => {
      expect(await readStored(PINBOARD_LAST_CALL, 'u', '1764000000123')).toBe(1764000000123);
      expect(PINBOARD_LAST_CALL.format(1764000000123)).toBe('1764000000123');
      expect(await readStored(PINBOARD_LAST_CALL, 'u', 'soon')).toBeUndefined();
    });

    it('reads a posts/all answer as stored and writes the same bytes back', async () => {
      const saved = { at: 1764000000123, fromdt: '2026-11-20T00:00:00Z', updateTime: '2026-11-23T00:00:00Z' };
      const stored = JSON.stringify({ ...saved, bookmarks: [BOOKMARK] });
      const memo = await readStored(PINBOARD_POSTS_ALL, 'u', stored);
      expect(memo).toEqual({ ...saved, bookmarks: [BOOKMARK] });
      expect(memo && PINBOARD_POSTS_ALL.format(memo)).toBe(stored);
    });

    it.each([
      ['no time', { fromdt: 'a', updateTime: 'b', bookmarks: [] }],
      ['a time that is text', { at: '1', fromdt: 'a', updateTime: 'b', bookmarks: [] }],
      ['no update time', { at: 1, fromdt: 'a', bookmarks: [] }],
      ['bookmarks that are not a list', { at: 1, fromdt: 'a', updateTime: 'b', bookmarks: {} }],
      ['a bookmark without tags', { at: 1, fromdt: 'a', updateTime: 'b', bookmarks: [{ ...BOOKMARK, tags: 't' }] }],
      ['a bookmark without shared', { at: 1, fromdt: 'a', updateTime: 'b', bookmarks: [{ ...BOOKMARK, shared: 1 }] }],
    ])('reads an answer with %s as none', async (_, value) => {
      expect(await readStored(PINBOARD_POSTS_ALL, 'u', JSON.stringify(value))).toBeUndefined();
    });
  });

  describe('sign-up limits (read as none when invalid: the window starts over)', () => {
    it('reads an IP window as stored, and none for anything else', async () => {
      expect(await readStored(SIGNUP_IP, 'b', '1764000000:3')).toEqual({ start: 1764000000, count: 3 });
      expect(SIGNUP_IP.format({ start: 1764000000, count: 3 })).toBe('1764000000:3');
      for (const odd of ['1764000000', '1764000000:x', 'a:b', '1:2:3', '{"w":1}']) {
        expect(await readStored(SIGNUP_IP, 'b', odd)).toBeUndefined();
      }
    });

    it('reads an address memo as stored, leaving out odd fields, and writes the same bytes back', async () => {
      expect(await readStored(SIGNUP_ADDRESS, 's', '{"w":1764000000,"n":2,"c":1764000100}')).toEqual({
        window: { start: 1764000000, count: 2 },
        lastConfirmation: 1764000100,
      });
      expect(SIGNUP_ADDRESS.format({ window: { start: 1764000000, count: 2 }, lastConfirmation: 1764000100 })).toBe(
        '{"w":1764000000,"n":2,"c":1764000100}',
      );
      expect(SIGNUP_ADDRESS.format({ lastConfirmation: 5 })).toBe('{"c":5}');
      expect(await readStored(SIGNUP_ADDRESS, 's', '{"w":"x","n":2,"c":5}')).toEqual({ lastConfirmation: 5 });
      expect(await readStored(SIGNUP_ADDRESS, 's', '{not json')).toBeUndefined();
      expect(await readStored(SIGNUP_ADDRESS, 's', 'null')).toBeUndefined();
    });
  });

  describe('soft bounces (refused when invalid)', () => {
    it('reads the times as stored and writes the same bytes back', async () => {
      const stored = '["2026-11-21T07:00:00.000Z","2026-11-22T07:00:00.000Z"]';
      const times = await readStored(SOFT_BOUNCES, 's1', stored);
      expect(times).toEqual(['2026-11-21T07:00:00.000Z', '2026-11-22T07:00:00.000Z']);
      expect(SOFT_BOUNCES.format(times ?? [])).toBe(stored);
    });

    it.each([
      ['not JSON', '["2026-11-21'],
      ['an object', '{"0":"2026-11-21T07:00:00.000Z"}'],
      ['a time that is a number', '[1764000000]'],
    ])('refuses %s', async (_, text) => {
      await expect(readStored(SOFT_BOUNCES, 's1', text)).rejects.toThrow(/memo "soft-bounces:s1"/);
    });
  });
});
