/** Counts follow the language: CLDR plural categories from Intl.PluralRules, `#` for the number. */
import { pluralsFor } from '../../../lambda/render/plural';

describe('pluralsFor', () => {
  it('counts links in English: one, other', () => {
    const { links } = pluralsFor('en');
    expect([0, 1, 2, 21].map(links)).toEqual(['0 links', '1 link', '2 links', '21 links']);
  });

  it('counts links in Polish, whose few and many differ from Russian at 12–14 and 21', () => {
    const { links } = pluralsFor('pl-PL');
    expect([1, 2, 5, 12, 21, 22, 25].map(links)).toEqual([
      '1 link',
      '2 linki',
      '5 linków',
      '12 linków',
      '21 linków',
      '22 linki',
      '25 linków',
    ]);
  });

  it('writes the number as the language does, and without a space where the form has none', () => {
    expect(pluralsFor('de').format(1500, { one: '# Link', other: '# Links' })).toBe('1.500 Links');
    expect(pluralsFor('ja').links(3)).toBe('3件のリンク');
  });

  it('falls back to the other form for a category a form set lacks', () => {
    expect(pluralsFor('ru').format(5, { one: '# item', other: '# items' })).toBe('5 items');
  });

  it('counts in English for a language it has no word for, or a malformed tag', () => {
    expect(pluralsFor('ar').links(2)).toBe('2 links');
    expect(pluralsFor('not a tag!').links(1)).toBe('1 link');
  });
});
