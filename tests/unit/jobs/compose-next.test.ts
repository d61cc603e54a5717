/**
 * composeNextIssue with several sources, over in-memory fakes: each source's own window start and state
 * (its cursor), failures skipped or stopping the run, cursors that move only with a sent issue.
 */
import type { RenderIssue } from '../../../lambda/core/compose';
import { SourceError } from '../../../lambda/core/errors';
import type { Bookmark, IssueRecord } from '../../../lambda/core/model';
import { type ComposeNextDeps, composeNextIssue, type NextIssue } from '../../../lambda/jobs/compose-next';
import type { BookmarkSource, SourceResult, SourceState } from '../../../lambda/ports/bookmark-source';
import type { History } from '../../../lambda/ports/store';
import { bookmark, composeOptions } from '../../helpers/factories';

const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
const NOW = new Date(at(23));

/** A source that answers what the test says next, recording each call's window start and state. */
class FakeSource implements BookmarkSource {
  calls: { from: string; state?: SourceState }[] = [];
  next: () => SourceResult = () => ({ bookmarks: [], unchanged: false, warnings: [] });
  constructor(readonly description: string) {}
  async fetchSince(from: string, _now?: string, state?: SourceState): Promise<SourceResult> {
    this.calls.push({ from, ...(state ? { state } : {}) });
    return this.next();
  }
  answers(bookmarks: Bookmark[], state?: SourceState) {
    this.next = () => ({ bookmarks, unchanged: false, warnings: [], ...(state ? { state } : {}) });
  }
  fails(message: string) {
    this.next = () => {
      throw new SourceError(message);
    };
  }
}

/** History and memos in memory; `send` marks an issue sent as the delivery jobs would. */
function fakeStore() {
  const memos = new Map<string, string>();
  const puts: string[] = [];
  const history: History = { nextIssue: 1, sentLinks: new Set() };
  return {
    memos,
    puts,
    history: async () => ({ ...history, sentLinks: new Set(history.sentLinks) }),
    getMemo: async (key: string) => memos.get(key),
    putMemo: async (key: string, value: string) => {
      puts.push(key);
      memos.set(key, value);
    },
    send(record: IssueRecord) {
      history.nextIssue = record.issue + 1;
      history.lastSent = { issue: record.issue, watermark: record.watermark, sentAt: record.composedAt };
      for (const link of record.links) history.sentLinks.add(link);
    },
  };
}

const render: RenderIssue = (model) => ({
  subject: `#${model.issue}`,
  preheader: '',
  html: `<p>${model.bookmarkCount}</p>`,
  text: '',
});

function setup(names: string[], overrides: Partial<ComposeNextDeps> = {}) {
  const sources = names.map((name) => new FakeSource(name));
  const store = fakeStore();
  const deps: ComposeNextDeps = {
    sources: sources.map((source, i) => ({ id: `feed:${i}`, source })),
    store,
    render,
    options: { ...composeOptions(), firstIssueDays: 7 },
    placeholder: 'pdunsubx',
    sampleUnsubscribeUrl: 'https://digest.example.com/u?t=x',
    ...overrides,
  };
  return { sources, store, deps, compose: (d: ComposeNextDeps = deps) => composeNextIssue(d, NOW) };
}

function issueOf(next: NextIssue): Extract<NextIssue, { kind: 'issue' }> {
  if (next.kind !== 'issue') throw new Error(`expected an issue, got ${next.kind}`);
  return next;
}
const urls = (next: NextIssue) =>
  issueOf(next)
    .record.model.sections.flatMap((s) => s.bookmarks.map((b) => b.url))
    .sort();

const WEEK_BEFORE = new Date(NOW.getTime() - 7 * 86_400_000).toISOString();

describe('composeNextIssue with several sources', () => {
  it('leaves a failed source out, names it, and reads it from its own window start once it is back', async () => {
    const { sources, store, compose } = setup(['linkding', 'blog']);
    const [linkding, blog] = sources as [FakeSource, FakeSource];
    const a1 = bookmark({ url: 'https://a.example.com/1', savedAt: at(20) });
    const a2 = bookmark({ url: 'https://a.example.com/2', savedAt: at(22) });
    linkding.answers([a1, a2]);
    blog.fails('feed blog: server error 503');

    const first = issueOf(await compose());
    expect(urls(first)).toEqual([a1.url, a2.url]);
    expect(first.warnings).toEqual([
      'feed blog: server error 503; left out of this issue, its links come in the next issue that reads it',
    ]);
    expect(first.report.sources).toEqual({
      read: 1,
      failed: [{ source: 'blog', reason: 'feed blog: server error 503' }],
    });
    store.send(first.record);

    // Back, with a link older than issue 1's watermark (a2) and a copy of a link already sent.
    const b1 = bookmark({ url: 'https://b.example.com/1', savedAt: at(21) });
    blog.answers([b1, { ...a2, tags: ['again'] }]);
    linkding.answers([a1, a2]);
    const second = issueOf(await compose());
    expect(urls(second)).toEqual([b1.url]);
    expect(linkding.calls.map((c) => c.from)).toEqual([WEEK_BEFORE, a2.savedAt]);
    expect(blog.calls.map((c) => c.from)).toEqual([WEEK_BEFORE, WEEK_BEFORE]);
    expect(second.report.sources).toEqual({ read: 2, failed: [] });
    expect(second.report.alreadySent).toBe(1);
    store.send(second.record);

    // Both caught up: each starts at issue 2's watermark (b1), or where it already was if later, never back.
    await compose();
    expect(blog.calls.at(-1)?.from).toBe(b1.savedAt);
    expect(linkding.calls.at(-1)?.from).toBe(a2.savedAt);
  });

  it('stops with sourceFailure "stop", composing and writing nothing', async () => {
    const { sources, store, deps, compose } = setup(['linkding', 'blog']);
    sources[0]?.answers([bookmark({ savedAt: at(22) })]);
    sources[1]?.fails('feed blog: HTTP 404: gone');
    const error = await compose({ ...deps, sourceFailure: 'stop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      '1 of 2 sources failed and sourceFailure is "stop": feed blog: HTTP 404: gone. Nothing composed, state unchanged',
    );
    expect(store.puts).toEqual([]);
  });

  it('fails when no source answers; one source fails with its own error, as it always has', async () => {
    const both = setup(['linkding', 'blog']);
    both.sources[0]?.fails('feed linkding: cannot connect (ECONNREFUSED)');
    both.sources[1]?.fails('feed blog: HTTP 410: gone');
    await expect(both.compose()).rejects.toThrow(
      'no source could be read (2 of 2 failed): feed linkding: cannot connect (ECONNREFUSED); feed blog: HTTP 410: gone. Nothing composed, state unchanged',
    );

    const one = setup(['blog']);
    one.sources[0]?.fails('feed blog: HTTP 410: gone');
    await expect(one.compose()).rejects.toThrow(new SourceError('feed blog: HTTP 410: gone'));
    expect(one.store.puts).toEqual([]);
  });

  it('lets a failure that is not the source’s (the store, a bug) fail the run', async () => {
    const { sources, compose } = setup(['linkding', 'blog']);
    sources[0]?.answers([]);
    (sources[1] as FakeSource).next = () => {
      throw new TypeError('boom');
    };
    await expect(compose()).rejects.toThrow(TypeError);
  });
});

describe('composeNextIssue and a source’s state', () => {
  it('hands back the state of the fetch whose links the last sent issue carried, and only that', async () => {
    const { sources, store, compose } = setup(['blog']);
    const blog = sources[0] as FakeSource;
    blog.answers([bookmark({ savedAt: at(22) })], { etag: '"v1"' });

    // Composed but never sent (nobody subscribed, a crash before it was stored): nothing moves.
    await compose();
    const first = issueOf(await compose());
    expect(blog.calls).toEqual([{ from: WEEK_BEFORE }, { from: WEEK_BEFORE }]);
    store.send(first.record);

    blog.next = () => ({ bookmarks: [], unchanged: true, warnings: [], state: { etag: '"v1"' } });
    const second = await compose();
    expect(blog.calls.at(-1)).toEqual({ from: first.record.watermark, state: { etag: '"v1"' } });
    expect(second).toMatchObject({ kind: 'nothing', reason: `no bookmarks changed since ${first.record.watermark}` });
  });

  it('writes nothing in a preview', async () => {
    const { sources, store, deps, compose } = setup(['blog', 'linkding']);
    sources[0]?.answers([bookmark({ savedAt: at(22) })], { etag: '"v1"' });
    expect((await compose({ ...deps, readOnly: true })).kind).toBe('issue');
    expect(store.puts).toEqual([]);
  });

  it('keeps no state when links were carried to the next issue, so the next fetch reads them again', async () => {
    const { sources, store, deps, compose } = setup(['blog']);
    const blog = sources[0] as FakeSource;
    blog.answers([bookmark({ savedAt: at(21) }), bookmark({ savedAt: at(22) })], { etag: '"v1"' });
    const capped = { ...deps, options: { ...deps.options, maxBookmarks: 1 } };
    const first = issueOf(await compose(capped));
    expect(first.report.carriedByCount).toBe(1);
    store.send(first.record);
    await compose(capped);
    expect(blog.calls.at(-1)).toEqual({ from: first.record.watermark });
  });

  it('starts every source at the last watermark for an issue stored before cursors existed', async () => {
    const { sources, store, compose } = setup(['blog', 'linkding']);
    const old = bookmark({ savedAt: at(20) });
    sources[0]?.answers([old]);
    sources[1]?.answers([]);
    store.send(issueOf(await compose()).record);
    store.memos.clear();
    await compose();
    expect(sources.map((s) => s.calls.at(-1)?.from)).toEqual([old.savedAt, old.savedAt]);
  });

  it('reads a cursor memo that is not one as no cursors: every source at the watermark, and a valid memo after', async () => {
    const { sources, store, compose } = setup(['blog', 'linkding']);
    const old = bookmark({ savedAt: at(20) });
    sources[0]?.answers([old], { etag: '"v1"' });
    sources[1]?.answers([]);
    const first = issueOf(await compose());
    store.send(first.record);
    store.memos.set('source-cursors', '{"1":{"feed:0":');
    sources[0]?.answers([bookmark({ savedAt: at(22) })]);
    issueOf(await compose());
    // No state handed back (it was in the unreadable memo), each from the watermark.
    expect(sources.map((s) => s.calls.at(-1))).toEqual([{ from: old.savedAt }, { from: old.savedAt }]);
    expect(Object.keys(JSON.parse(store.memos.get('source-cursors') ?? '')).sort()).toEqual(['2']);
  });
});
