/** The review's pure rules: the deadline's decision, what changed between two drafts, the links' subject. */
import type { IssueRecord } from '../../../lambda/core/model';
import {
  type Draft,
  deadlineDecision,
  describeChanges,
  fingerprintOf,
  reviewSubject,
} from '../../../lambda/core/review';
import { readMemo } from '../../../lambda/ports/memo';
import { REVIEW_DRAFTS } from '../../../lambda/ports/memo-kinds';
import { NOTHING_LEFT_OUT } from '../../helpers/draft-fixture';

function record(links: { url: string; title: string; note?: string; section?: string }[]): IssueRecord {
  const sections = new Map<string, IssueRecord['model']['sections'][number]>();
  for (const l of links) {
    const title = l.section ?? 'Web';
    const section = sections.get(title) ?? { title, bookmarks: [] };
    section.bookmarks.push({
      url: l.url,
      title: l.title,
      note: l.note ?? '',
      tags: ['web'],
      savedAt: '2026-11-26T00:00:00.000Z',
    });
    sections.set(title, section);
  }
  return {
    issue: 1,
    status: 'composed',
    model: {
      issue: 1,
      subject: 's',
      preheader: 'p',
      window: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z' },
      sections: [...sections.values()],
      bookmarkCount: links.length,
      carriedOver: 0,
    },
    rendered: { subject: 's', preheader: 'p', html: '<html><body></body></html>', text: '' },
    placeholder: 'x',
    watermark: '2026-11-26T00:00:00.000Z',
    links: links.map((l) => l.url),
    composedAt: '2026-11-27T00:00:00.000Z',
  };
}

const draft = (state: Draft['state']): Draft => ({
  id: 'a'.repeat(16),
  issue: 3,
  sendAt: '2026-11-28T07:00:00.000Z',
  timeZone: 'UTC',
  mode: 'auto',
  state,
  record: record([{ url: 'https://a.example/1', title: 'One' }]),
  preflight: {
    counts: NOTHING_LEFT_OUT,
    carried: [],
    dead: [],
    htmlBytes: 1,
    maxHtmlBytes: 95_000,
    readers: 1,
    warnings: [],
  },
  fingerprint: 'f',
  events: [],
});

describe('deadlineDecision', () => {
  it('sends an approved draft in either mode, an undecided one only in auto mode, a held one never', () => {
    expect(deadlineDecision(draft('approved'), 'approve')).toEqual({ send: true });
    expect(deadlineDecision(draft('approved'), 'auto')).toEqual({ send: true });
    expect(deadlineDecision(draft('draft'), 'auto')).toEqual({ send: true });
    expect(deadlineDecision(draft('draft'), 'approve')).toMatchObject({
      send: false,
      reason: expect.stringMatching(/not approved/),
    });
    for (const mode of ['auto', 'approve'] as const) {
      expect(deadlineDecision(draft('held'), mode)).toMatchObject({
        send: false,
        reason: expect.stringMatching(/held/),
      });
      expect(deadlineDecision(draft('sent'), mode)).toMatchObject({ send: false });
    }
  });

  it('without a draft: auto composes as without review, approve sends nothing and says to draft', () => {
    expect(deadlineDecision(undefined, 'auto')).toEqual({ send: true });
    expect(deadlineDecision(undefined, 'approve')).toMatchObject({
      send: false,
      reason: expect.stringMatching(/draft/),
    });
  });
});

describe('describeChanges and fingerprintOf', () => {
  const before = record([
    { url: 'https://a.example/1', title: 'One' },
    { url: 'https://a.example/2', title: 'Two' },
    { url: 'https://a.example/3', title: 'Three' },
  ]);

  it('says what was added, left out, edited and moved', () => {
    const after = record([
      { url: 'https://a.example/2', title: 'Two', note: 'now with a note' },
      { url: 'https://a.example/3', title: 'Three', section: 'Books' },
      { url: 'https://a.example/4', title: 'Four' },
    ]);
    expect(describeChanges(before, after)).toEqual([
      '1 link added: "Four"',
      '1 link left out (deleted, made private or no longer eligible): "One"',
      '1 link edited (title, description or tags): "Two"',
      '1 link in another section now: "Three"',
    ]);
    expect(fingerprintOf(after)).not.toBe(fingerprintOf(before));
  });

  it('says nothing, and keeps the fingerprint, when nothing shown changed', () => {
    const same = record([
      { url: 'https://a.example/1', title: 'One' },
      { url: 'https://a.example/2', title: 'Two' },
      { url: 'https://a.example/3', title: 'Three' },
    ]);
    expect(describeChanges(before, same)).toEqual([]);
    expect(fingerprintOf(same)).toBe(fingerprintOf(before));
  });
});

describe('reviewSubject', () => {
  it('binds the draft and the review address (case aside), in a token-safe subject', () => {
    const a = reviewSubject('a'.repeat(16), 'Author@Example.org');
    expect(a).toBe(reviewSubject('a'.repeat(16), 'author@example.org'));
    expect(a).not.toBe(reviewSubject('b'.repeat(16), 'author@example.org'));
    expect(a).not.toBe(reviewSubject('a'.repeat(16), 'other@example.org'));
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('the review memo', () => {
  const memos = (text: string) => ({ getMemo: async () => text });

  it('reads back what it wrote', async () => {
    const file = { current: draft('held'), earlier: [] };
    expect(await readMemo(memos(REVIEW_DRAFTS.format(file)), REVIEW_DRAFTS, 3)).toEqual(file);
  });

  it('refuses an odd value, naming the key: it holds the issue to send', async () => {
    const odd = JSON.stringify({ current: { ...draft('draft'), state: 'shipped' }, earlier: [] });
    await expect(readMemo(memos(odd), REVIEW_DRAFTS, 3)).rejects.toThrow(
      /memo "review:3" \(review draft\).*state is not a draft state/,
    );
    await expect(readMemo(memos('{"current":1}'), REVIEW_DRAFTS, 3)).rejects.toThrow(/current is not an object/);
  });
});
