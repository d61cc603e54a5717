/**
 * composeNextIssue with a link check, over in-memory fakes of the source, the store and the LinkChecker
 * port: what a held link does to the watermark and the cursors, that a dropped one never comes back, that
 * a dead link left out makes room for the next candidate, and that only candidates are checked.
 */
import type { RenderIssue } from '../../../lambda/core/compose';
import type { LinkCheckPolicy, LinkProbe } from '../../../lambda/core/link-check';
import type { Bookmark, IssueRecord } from '../../../lambda/core/model';
import { type ComposeNextDeps, composeNextIssue, type NextIssue } from '../../../lambda/jobs/compose-next';
import { CURSORS_MEMO } from '../../../lambda/jobs/fetch-sources';
import type { BookmarkSource, SourceResult } from '../../../lambda/ports/bookmark-source';
import type { LinkChecker } from '../../../lambda/ports/link-checker';
import type { History } from '../../../lambda/ports/store';
import { bookmark, composeOptions } from '../../helpers/factories';

const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
const NOW = new Date(at(23));

/** Answers each URL as the test says (200 unless told), recording every batch it was asked. */
class FakeLinkChecker implements LinkChecker {
  batches: string[][] = [];
  status = new Map<string, number>();
  async check(urls: readonly string[]): Promise<LinkProbe[]> {
    this.batches.push([...urls]);
    return urls.map((url) => ({
      url,
      kind: 'answer',
      status: this.status.get(url) ?? 200,
      finalUrl: url,
      redirects: 0,
    }));
  }
}

class FakeSource implements BookmarkSource {
  readonly description = 'fake source';
  froms: string[] = [];
  result: SourceResult = { bookmarks: [], unchanged: false, warnings: [] };
  async fetchSince(from: string): Promise<SourceResult> {
    this.froms.push(from);
    return this.result;
  }
}

function fakeStore() {
  const memos = new Map<string, string>();
  const history: History = { nextIssue: 1, sentLinks: new Set() };
  return {
    memos,
    history: async () => ({ ...history, sentLinks: new Set(history.sentLinks) }),
    getMemo: async (key: string) => memos.get(key),
    putMemo: async (key: string, value: string) => {
      memos.set(key, value);
    },
    send(record: IssueRecord) {
      history.nextIssue = record.issue + 1;
      history.lastSent = { issue: record.issue, watermark: record.watermark, sentAt: record.composedAt };
      for (const link of record.links) history.sentLinks.add(link);
    },
  };
}

const render: RenderIssue = (model) => ({ subject: `#${model.issue}`, preheader: '', html: '<p></p>', text: '' });

function setup(
  policy: Partial<LinkCheckPolicy> = {},
  options: { maxBookmarks?: number; firstIssueDays?: number } = {},
) {
  const source = new FakeSource();
  const store = fakeStore();
  const checker = new FakeLinkChecker();
  const deps: ComposeNextDeps = {
    sources: [{ id: 'file:1', source }],
    store,
    render,
    options: {
      ...composeOptions({ maxBookmarks: options.maxBookmarks ?? 50 }),
      firstIssueDays: options.firstIssueDays ?? 7,
    },
    placeholder: 'pdunsubx',
    sampleUnsubscribeUrl: 'https://digest.example.com/u?t=x',
    linkCheck: {
      checker,
      policy: { action: 'hold', keepFinalUrl: false, holdDays: 14, ...policy },
      deadlineMs: 5_000,
    },
  };
  const offer = (bookmarks: Bookmark[], state?: Record<string, string>) => {
    source.result = { bookmarks, unchanged: false, warnings: [], ...(state ? { state } : {}) };
  };
  return { source, store, checker, deps, offer, compose: (d: ComposeNextDeps = deps) => composeNextIssue(d, NOW) };
}

function issueOf(next: NextIssue): Extract<NextIssue, { kind: 'issue' }> {
  if (next.kind !== 'issue') throw new Error(`expected an issue, got ${next.kind}`);
  return next;
}
const urls = (next: NextIssue) => issueOf(next).record.model.sections.flatMap((s) => s.bookmarks.map((b) => b.url));

const b1 = bookmark({ url: 'https://a.example/1', savedAt: at(20) });
const b2 = bookmark({ url: 'https://b.example/2', savedAt: at(21) });
const b3 = bookmark({ url: 'https://c.example/3', savedAt: at(22) });

describe('composeNextIssue with a link check', () => {
  it('holds a dead link back: the watermark stays at it, and it is sent once it works again', async () => {
    const { store, checker, offer, compose, source } = setup({ action: 'hold' });
    offer([b1, b2, b3], { etag: '"v1"' });
    checker.status.set(b2.url, 404);
    const first = issueOf(await compose());
    expect(urls(first)).toEqual([b1.url, b3.url]);
    expect(first.record.model.deadLinks).toEqual([
      { url: b2.url, title: b2.title, status: 404, reason: '404 Not Found', action: 'held' },
    ]);
    expect(first.record.watermark).toBe(b2.savedAt);
    expect(first.record.links).not.toContain('http://b.example/2');
    // The source's state is not kept: a 304 next time would skip the held link.
    const cursors = JSON.parse(store.memos.get(CURSORS_MEMO) ?? '{}');
    expect(cursors['1']['file:1']).toEqual({ from: b2.savedAt });
    store.send(first.record);

    checker.status.delete(b2.url);
    const second = issueOf(await compose());
    expect(source.froms.at(-1)).toBe(b2.savedAt);
    expect(urls(second)).toEqual([b2.url]);
    expect(second.report.alreadySent).toBe(1); // b3, read again from the held link's time on
    expect(second.record.model.deadLinks).toEqual([]);
  });

  it('drops a dead link for good: it is recorded as used up and never offered again', async () => {
    const { store, checker, offer, compose } = setup({ action: 'drop' });
    offer([b1, b2, b3]);
    checker.status.set(b2.url, 410);
    const first = issueOf(await compose());
    expect(urls(first)).toEqual([b1.url, b3.url]);
    expect(first.record.watermark).toBe(b3.savedAt);
    expect(first.record.links).toContain('http://b.example/2');
    store.send(first.record);

    checker.status.delete(b2.url);
    offer([b1, { ...b2, savedAt: at(22, 18) }, b3]); // even saved again, later
    const second = await compose();
    expect(second.kind).toBe('nothing');
  });

  it('drops instead of holding a dead link saved longer ago than holdDays', async () => {
    const old = bookmark({ url: 'https://old.example/x', savedAt: at(1) });
    const { checker, offer, compose } = setup({ action: 'hold', holdDays: 14 }, { firstIssueDays: 30 });
    offer([old, b1]);
    checker.status.set(old.url, 404);
    const first = issueOf(await compose());
    expect(first.record.model.deadLinks?.[0]?.action).toBe('dropped');
    expect(first.record.watermark).toBe(b1.savedAt);
  });

  it('checks the next candidate in place of a dead one left out, and only as many as the issue takes', async () => {
    const b4 = bookmark({ url: 'https://d.example/4', savedAt: at(22, 20) });
    const { checker, offer, compose } = setup({ action: 'drop' }, { maxBookmarks: 2 });
    offer([b1, b2, b3, b4]);
    checker.status.set(b1.url, 404);
    const first = issueOf(await compose());
    expect(checker.batches).toEqual([[b1.url, b2.url], [b3.url]]);
    expect(urls(first)).toEqual([b2.url, b3.url]);
    expect(first.report.carriedByCount).toBe(1); // b4, not checked: it opens the next issue
  });

  it('checks in a preview too, and writes nothing', async () => {
    const { store, checker, offer, deps, compose } = setup({ action: 'hold' });
    offer([b1, b2]);
    checker.status.set(b1.url, 404);
    const preview = issueOf(await compose({ ...deps, readOnly: true }));
    expect(urls(preview)).toEqual([b2.url]);
    expect(store.memos.size).toBe(0);
  });

  it('sends the issue unchecked, with a warning, when the checker itself throws', async () => {
    const { checker, offer, compose } = setup({ action: 'drop' });
    offer([b1, b2]);
    checker.check = async () => {
      throw new Error('EMFILE: too many open files');
    };
    const next = issueOf(await compose());
    expect(urls(next)).toEqual([b1.url, b2.url]);
    expect(next.warnings).toEqual([
      'link check: the checker failed (EMFILE: too many open files); 2 links sent unchecked',
    ]);
  });

  it('composes nothing and checks nothing without enough candidates', async () => {
    const { checker, offer, compose } = setup();
    offer([]);
    expect((await compose()).kind).toBe('nothing');
    expect(checker.batches).toEqual([]);
  });

  it('composes nothing, state unchanged, when every candidate is dead and held', async () => {
    const { store, checker, offer, compose } = setup({ action: 'hold' });
    offer([b1]);
    checker.status.set(b1.url, 410);
    const next = await compose();
    expect(next.kind).toBe('nothing');
    expect(next.kind === 'nothing' && next.report?.linkCheck?.dead.map((d) => d.action)).toEqual(['held']);
    expect(store.memos.size).toBe(0);
  });
});
