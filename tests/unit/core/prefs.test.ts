/** A reader's choices and what they get of an issue: the whole, a variant of their sections, or nothing. */
import type { IssueModel } from '../../../lambda/core/model';
import {
  choosePrefs,
  isDefaultPrefs,
  offeredSections,
  readerShare,
  variantKey,
  variantModel,
} from '../../../lambda/core/prefs';

const OFFERED = ['Science', 'Web', 'Everything else'];
const NOW = new Date('2026-12-01T00:00:00.000Z');

describe('readerShare', () => {
  const issue = ['Science', 'Web', 'Everything else'];

  it('no choices: the whole issue; every section of this issue chosen: the whole issue too', () => {
    expect(readerShare(undefined, issue, OFFERED, NOW)).toEqual({ kind: 'whole' });
    expect(readerShare({ sections: ['Science', 'Web'] }, ['Science', 'Web'], OFFERED, NOW)).toEqual({ kind: 'whole' });
  });

  it('some sections: the variant of exactly those, the same key whatever the order they were chosen in', () => {
    const a = readerShare({ sections: ['web', 'Science'] }, issue, OFFERED, NOW);
    const b = readerShare({ sections: ['Science', 'Web'] }, issue, OFFERED, NOW);
    expect(a).toEqual({ kind: 'variant', variant: variantKey(['Science', 'Web']), sections: ['Science', 'Web'] });
    expect(b).toEqual(a);
    expect(variantKey(['Web'])).not.toBe(variantKey(['Science']));
    expect(variantKey(['Web'])).toMatch(/^s-[A-Za-z0-9_-]{16}$/);
  });

  it('none of their sections in this issue, or paused: nothing, and why; a pause that ended: as chosen', () => {
    expect(readerShare({ sections: ['Web'] }, ['Science'], OFFERED, NOW)).toMatchObject({ kind: 'omitted' });
    expect(readerShare({ pausedUntil: '2026-12-02T00:00:00.000Z' }, issue, OFFERED, NOW)).toEqual({
      kind: 'omitted',
      why: 'paused until 2026-12-02T00:00:00.000Z',
      for: 'pause',
    });
    expect(readerShare({ pausedUntil: '2026-11-30T00:00:00.000Z' }, issue, OFFERED, NOW)).toEqual({ kind: 'whole' });
  });

  it('a section the config does not name (links grouped by tag) belongs to the other section', () => {
    const byTag = ['rust', 'css'];
    expect(readerShare({ sections: ['Everything else'] }, byTag, OFFERED, NOW)).toEqual({ kind: 'whole' });
    expect(readerShare({ sections: ['Science'] }, byTag, OFFERED, NOW)).toMatchObject({ kind: 'omitted' });
    expect(readerShare({ sections: ['Everything else'] }, ['Science', 'rust'], OFFERED, NOW)).toMatchObject({
      kind: 'variant',
      sections: ['rust'],
    });
  });
});

describe('variantModel', () => {
  it('keeps only those sections, and counts their links', () => {
    const b = (url: string) => ({ url, title: url, note: '', tags: [], savedAt: NOW.toISOString() });
    const model = {
      issue: 1,
      subject: 's',
      preheader: 'p',
      window: { from: '', to: '' },
      sections: [
        { title: 'Science', bookmarks: [b('a'), b('b')] },
        { title: 'Web', bookmarks: [b('c')] },
      ],
      bookmarkCount: 3,
      carriedOver: 0,
    } as IssueModel;
    expect(variantModel(model, ['Web'])).toMatchObject({ sections: [{ title: 'Web' }], bookmarkCount: 1 });
  });
});

describe('choosePrefs', () => {
  it('stores the sections in the offered order, canonical names, and clears them when all are chosen', () => {
    expect(choosePrefs({ sections: [' web ', 'science'] }, OFFERED, undefined, NOW)).toEqual({
      sections: ['Science', 'Web'],
    });
    expect(choosePrefs({ sections: OFFERED }, OFFERED, { sections: ['Web'] }, NOW)).toEqual({});
  });

  it('pauses for 4, 8 or 12 weeks from now, 0 resumes, anything else is refused; an unknown section is named', () => {
    expect(choosePrefs({ pauseWeeks: 4 }, OFFERED, undefined, NOW)).toEqual({
      pausedUntil: '2026-12-29T00:00:00.000Z',
    });
    expect(choosePrefs({ pauseWeeks: 0 }, OFFERED, { pausedUntil: 'x', sections: ['Web'] }, NOW)).toEqual({
      sections: ['Web'],
    });
    expect(() => choosePrefs({ pauseWeeks: 5 }, OFFERED, undefined, NOW)).toThrow(/4, 8, 12 weeks/);
    expect(() => choosePrefs({ sections: ['Cats'] }, OFFERED, undefined, NOW)).toThrow(/no section "Cats"/);
    expect(() => choosePrefs({ sections: [] }, OFFERED, undefined, NOW)).toThrow(/at least one section/);
  });

  it('the pace: monthly kept, every issue is the default (stored as none), anything else refused', () => {
    const monthly = choosePrefs({ frequency: 'monthly' }, OFFERED, { sections: ['Web'] }, NOW);
    expect(monthly).toEqual({ sections: ['Web'], frequency: 'monthly' });
    expect(choosePrefs({ frequency: 'issue' }, OFFERED, monthly, NOW)).toEqual({ sections: ['Web'] });
    expect(isDefaultPrefs(choosePrefs({ frequency: 'issue' }, OFFERED, { frequency: 'monthly' }, NOW))).toBe(true);
    expect(isDefaultPrefs({ frequency: 'monthly' })).toBe(false);
    expect(() => choosePrefs({ frequency: 'daily' }, OFFERED, undefined, NOW)).toThrow(
      'the frequency is "issue" (every issue) or "monthly" (a round-up), not "daily"',
    );
  });

  it('offers the config’s sections, then the other one', () => {
    expect(offeredSections({ sections: [{ title: 'A' }, { title: 'B' }], otherSectionTitle: 'Rest' })).toEqual([
      'A',
      'B',
      'Rest',
    ]);
    expect(offeredSections({ otherSectionTitle: 'Rest' })).toEqual(['Rest']);
  });
});
