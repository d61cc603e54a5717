/** The monthly round-up: its month in the author's time zone, what waits for it, and the one message it makes. */
import type { IssueModel } from '../../../lambda/core/model';
import { readerShare, roundupKey } from '../../../lambda/core/prefs';
import { fitRoundup, lookback, monthOf, opensMonth, roundupModel } from '../../../lambda/core/roundup';

const OFFERED = ['Science', 'Web', 'Everything else'];
const NOW = new Date('2026-12-02T08:00:00.000Z');

const issue = (n: number, sections: Record<string, string[]>): IssueModel => ({
  issue: n,
  subject: `#${n}`,
  preheader: '',
  window: { from: `2026-11-0${n}T00:00:00.000Z`, to: `2026-11-0${n}T12:00:00.000Z` },
  sections: Object.entries(sections).map(([title, urls]) => ({
    title,
    bookmarks: urls.map((url) => ({ url, title: url, note: '', tags: [], savedAt: '2026-11-01T00:00:00.000Z' })),
  })),
  bookmarkCount: Object.values(sections).flat().length,
  carriedOver: 0,
});

describe('the round-up month, in the author time zone', () => {
  it('an instant belongs to the month it is in where the author lives', () => {
    // 23:30 UTC on 30 November is already 1 December in Berlin, and still 30 November in New York.
    expect(monthOf('2026-11-30T23:30:00.000Z', 'UTC')).toBe('2026-11');
    expect(monthOf('2026-11-30T23:30:00.000Z', 'Europe/Berlin')).toBe('2026-12');
    expect(monthOf('2026-12-01T03:00:00.000Z', 'America/New_York')).toBe('2026-11');
    expect(monthOf('2026-12-31T23:59:59.999Z', 'UTC')).toBe('2026-12');
    expect(monthOf('2027-01-01T00:00:00.000Z', 'UTC')).toBe('2027-01');
  });

  it('the first issue sent in a month opens it; the first issue of all does too', () => {
    expect(opensMonth('2026-12-02T08:00:00.000Z', '2026-11-25T08:00:00.000Z', 'UTC')).toBe(true);
    expect(opensMonth('2026-12-09T08:00:00.000Z', '2026-12-02T08:00:00.000Z', 'UTC')).toBe(false);
    expect(opensMonth('2026-11-04T08:00:00.000Z', undefined, 'UTC')).toBe(true);
    // Saturday 30 November 23:30 UTC was Sunday 1 December in Berlin: the issue after it does not open December.
    expect(opensMonth('2026-12-07T08:00:00.000Z', '2026-11-30T23:30:00.000Z', 'Europe/Berlin')).toBe(false);
    expect(opensMonth('2026-12-07T08:00:00.000Z', '2026-11-30T23:30:00.000Z', 'UTC')).toBe(true);
    // Across a year end.
    expect(opensMonth('2027-01-06T08:00:00.000Z', '2026-12-30T08:00:00.000Z', 'UTC')).toBe(true);
  });
});

describe('what waits for a round-up (the ledger, walked back)', () => {
  it('held for the round-up waits; a pause waits for a monthly reader only; a message ends the walk', () => {
    expect(lookback({ state: 'omitted', omittedFor: 'round-up' }, true)).toBe('waits');
    expect(lookback({ state: 'omitted', omittedFor: 'round-up' }, false)).toBe('waits');
    expect(lookback({ state: 'omitted', omittedFor: 'pause' }, true)).toBe('waits');
    expect(lookback({ state: 'omitted', omittedFor: 'pause' }, false)).toBe('skip');
    expect(lookback(undefined, true)).toBe('skip');
    expect(lookback({ state: 'sent' }, true)).toBe('stop');
    expect(lookback({ state: 'refused' }, false)).toBe('stop');
    expect(lookback({ state: 'claimed' }, true)).toBe('stop');
    // A round-up that found nothing of their sections used up what waited.
    expect(lookback({ state: 'omitted', omittedFor: 'sections' }, true)).toBe('stop');
  });
});

describe('who gets a round-up', () => {
  const sections = ['Science', 'Web'];
  const ctx = (opens: boolean, waiting: number[] = []) => ({
    opensMonth: opens,
    issue: 5,
    waiting,
    sectionsOf: (n: number) => (n === 3 ? ['Everything else'] : ['Science']),
  });

  it('monthly: nothing in mid-month (it waits); the first issue of a month: the round-up of what waited', () => {
    expect(readerShare({ frequency: 'monthly' }, sections, OFFERED, NOW, ctx(false, [2, 3]))).toEqual({
      kind: 'omitted',
      why: 'monthly: it waits for their round-up',
      for: 'round-up',
    });
    expect(readerShare({ frequency: 'monthly' }, sections, OFFERED, NOW, ctx(true, [2, 3, 4]))).toEqual({
      kind: 'roundup',
      variant: roundupKey([2, 3, 4, 5]),
      issues: [2, 3, 4, 5],
    });
    // Nothing waiting (new this month): the issue itself.
    expect(readerShare({ frequency: 'monthly' }, sections, OFFERED, NOW, ctx(true))).toEqual({ kind: 'whole' });
  });

  it('back to every issue with issues waiting: those and this one, once (no gap); then issue by issue', () => {
    expect(readerShare({}, sections, OFFERED, NOW, ctx(false, [3, 4]))).toMatchObject({
      kind: 'roundup',
      issues: [3, 4, 5],
    });
    expect(readerShare({}, sections, OFFERED, NOW, ctx(false))).toEqual({ kind: 'whole' });
  });

  it('a round-up of some sections takes theirs across every issue; none of them anywhere: nothing', () => {
    const sci = readerShare({ frequency: 'monthly', sections: ['Science'] }, ['Web'], OFFERED, NOW, ctx(true, [2]));
    expect(sci).toEqual({
      kind: 'roundup',
      variant: roundupKey([2, 5], ['Science']),
      issues: [2, 5],
      sections: ['Science'],
    });
    expect(roundupKey([2, 5], ['Science'])).not.toBe(roundupKey([2, 5]));
    expect(roundupKey([2, 5])).toMatch(/^r-[A-Za-z0-9_-]{16}$/);
    expect(
      readerShare({ frequency: 'monthly', sections: ['Web'] }, ['Science'], OFFERED, NOW, ctx(true, [2])),
    ).toMatchObject({ kind: 'omitted', for: 'sections' });
    // The other section takes the sections the config does not name (issue 3's, here).
    expect(
      readerShare({ frequency: 'monthly', sections: ['Everything else'] }, ['Science'], OFFERED, NOW, ctx(true, [3])),
    ).toMatchObject({ kind: 'roundup', sections: ['Everything else'] });
  });

  it('a pause comes first, across a month end too: nothing until it ends', () => {
    const paused = { frequency: 'monthly' as const, pausedUntil: '2026-12-10T00:00:00.000Z' };
    expect(readerShare(paused, sections, OFFERED, NOW, ctx(true, [2, 3]))).toMatchObject({
      kind: 'omitted',
      for: 'pause',
    });
    const ended = { ...paused, pausedUntil: '2026-12-01T00:00:00.000Z' };
    expect(readerShare(ended, sections, OFFERED, NOW, ctx(true, [2, 3]))).toMatchObject({ kind: 'roundup' });
  });
});

describe('the round-up message', () => {
  const issues = [
    issue(4, { Science: ['https://a.example/4a', 'https://a.example/4b'], Web: ['https://a.example/4c'] }),
    issue(3, { Web: ['https://a.example/3a'], 'Everything else': ['https://a.example/3b'] }),
    // The same link again (a repost at another URL form): shown once.
    issue(2, { Science: ['https://a.example/2a', 'https://A.example/4a'] }),
  ];
  const links = (m: IssueModel) => m.sections.map((s) => [s.title, s.bookmarks.map((b) => b.url)]);

  it('groups by section, newest issue first within each, never a link twice; the note is the newest', () => {
    const { model, total } = roundupModel([{ ...issues[0], editorNote: 'Hello' } as IssueModel, ...issues.slice(1)]);
    expect(total).toBe(6);
    expect(links(model)).toEqual([
      ['Science', ['https://a.example/4a', 'https://a.example/4b', 'https://a.example/2a']],
      ['Web', ['https://a.example/4c', 'https://a.example/3a']],
      ['Everything else', ['https://a.example/3b']],
    ]);
    expect(model).toMatchObject({
      issue: 4,
      bookmarkCount: 6,
      editorNote: 'Hello',
      window: { from: issues[2]?.window.from, to: issues[0]?.window.to },
      roundup: { issues: [2, 3, 4], more: 0 },
    });
  });

  it('only the sections asked for', () => {
    expect(links(roundupModel(issues, ['Web']).model)).toEqual([
      ['Web', ['https://a.example/4c', 'https://a.example/3a']],
    ]);
  });

  it('over the budget: the oldest issues make way and it says how many more are on the archive', () => {
    // A rendering of 100 bytes a link: a budget of 350 fits three.
    const render = (m: IssueModel) => ({ html: 'x'.repeat(100 * m.bookmarkCount) });
    const fit = fitRoundup(issues, undefined, render, (r) => r.html.length, 350);
    expect(fit?.model.roundup).toEqual({ issues: [2, 3, 4], more: 3 });
    expect(links(fit?.model as IssueModel)).toEqual([
      ['Science', ['https://a.example/4a', 'https://a.example/4b']],
      ['Web', ['https://a.example/4c']],
    ]);
    expect(fit?.bytes).toBe(300);
    expect(fitRoundup(issues, undefined, render, (r) => r.html.length, 1000)?.model.roundup?.more).toBe(0);
    expect(fitRoundup(issues, undefined, render, (r) => r.html.length, 50)).toBeUndefined();
  });
});
