import { groupIntoSections, MAX_NOTE_CHARS } from '../../../lambda/core/group';
import { bookmark } from '../../helpers/factories';

const titles = (sections: { title: string; bookmarks: { title: string }[] }[]) =>
  sections.map((s) => [s.title, s.bookmarks.map((b) => b.title)]);

describe('groupIntoSections', () => {
  const rules = [
    { title: 'Code', tags: ['rust', 'Python'] },
    { title: 'Web', tags: ['css', 'python'] },
    { title: 'Empty', tags: ['nothing-tagged-this'] },
  ];

  it('puts each bookmark in the first section sharing a tag, the rest last under the other title', () => {
    const sections = groupIntoSections(
      [
        bookmark({ title: 'a', tags: ['css'] }),
        bookmark({ title: 'b', tags: ['PYTHON', 'css'] }),
        bookmark({ title: 'c', tags: ['cooking'] }),
        bookmark({ title: 'd', tags: [] }),
        bookmark({ title: 'e', tags: ['rust'] }),
      ],
      { sections: rules, otherSectionTitle: 'Everything else' },
    );
    expect(titles(sections)).toEqual([
      ['Code', ['b', 'e']],
      ['Web', ['a']],
      ['Everything else', ['c', 'd']],
    ]);
  });

  it('hides empty sections, the other section included', () => {
    const sections = groupIntoSections([bookmark({ tags: ['rust'] })], { sections: rules, otherSectionTitle: 'Other' });
    expect(sections.map((s) => s.title)).toEqual(['Code']);
  });

  it('never lets a private tag place a bookmark or appear in the issue', () => {
    const sections = groupIntoSections([bookmark({ title: 'x', tags: ['.rust', 'web'] })], {
      sections: [{ title: 'Secret', tags: ['.rust'] }],
      otherSectionTitle: 'Other',
    });
    expect(titles(sections)).toEqual([['Other', ['x']]]);
    expect(sections[0]?.bookmarks[0]?.tags).toEqual(['web']);
  });

  it('without rules, groups by first public tag and folds one-link groups into the other section', () => {
    const sections = groupIntoSections(
      [
        bookmark({ title: 'a', tags: ['.private', 'rust'], savedAt: '2026-11-20T01:00:00.000Z' }),
        bookmark({ title: 'b', tags: ['solo'], savedAt: '2026-11-20T02:00:00.000Z' }),
        bookmark({ title: 'c', tags: ['rust', 'web'], savedAt: '2026-11-20T03:00:00.000Z' }),
        bookmark({ title: 'd', tags: ['.only-private'], savedAt: '2026-11-20T00:30:00.000Z' }),
      ],
      { otherSectionTitle: 'Misc' },
    );
    expect(titles(sections)).toEqual([
      ['rust', ['a', 'c']],
      ['Misc', ['d', 'b']],
    ]);
  });

  it('bounds very long notes and falls back to the URL for an empty title', () => {
    const [section] = groupIntoSections(
      [bookmark({ title: '  ', note: 'n'.repeat(70_000), url: 'https://x.example/' })],
      {
        otherSectionTitle: 'Other',
      },
    );
    const shown = section?.bookmarks[0];
    expect(shown?.title).toBe('https://x.example/');
    expect([...(shown?.note ?? '')].length).toBe(MAX_NOTE_CHARS);
    expect(shown?.note.endsWith('…')).toBe(true);
  });
});
