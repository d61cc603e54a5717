import type { BookmarkSource, SourceResult } from '../../../lambda/ports/bookmark-source';
import { CachedSource } from '../../../lambda/preview/source-cache';

/** A source that counts its calls and fails when told to. */
function countingSource() {
  const calls: string[] = [];
  let failing = false;
  const source: BookmarkSource = {
    description: 'test source',
    fetchSince: async (from) => {
      calls.push(from);
      if (failing) throw new Error('feed down');
      return { bookmarks: [], unchanged: false, warnings: [`call ${calls.length}`] } satisfies SourceResult;
    },
  };
  return { source, calls, fail: (on: boolean) => (failing = on) };
}

describe('CachedSource', () => {
  it('answers rebuilds from the last fetch until refreshed; a new window start asks again', async () => {
    const { source, calls } = countingSource();
    const cached = new CachedSource(source, () => 1_000);
    expect((await cached.fetchSince('2026-11-01T00:00:00Z')).warnings).toEqual(['call 1']);
    expect((await cached.fetchSince('2026-11-01T00:00:00Z')).warnings).toEqual(['call 1']);
    expect(calls).toHaveLength(1);
    expect(cached.fetchedAt).toBe(1_000);
    cached.refresh();
    expect((await cached.fetchSince('2026-11-01T00:00:00Z')).warnings).toEqual(['call 2']);
    await cached.fetchSince('2026-11-02T00:00:00Z');
    expect(calls).toEqual(['2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
  });

  it('keeps a failure too, so a broken feed is not asked on every keystroke', async () => {
    const { source, calls, fail } = countingSource();
    const cached = new CachedSource(source);
    fail(true);
    await expect(cached.fetchSince('2026-11-01T00:00:00Z')).rejects.toThrow('feed down');
    await expect(cached.fetchSince('2026-11-01T00:00:00Z')).rejects.toThrow('feed down');
    expect(calls).toHaveLength(1);
    fail(false);
    cached.refresh();
    await expect(cached.fetchSince('2026-11-01T00:00:00Z')).resolves.toMatchObject({ warnings: ['call 2'] });
  });
});
