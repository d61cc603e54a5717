/**
 * Counts in the language: `Intl.PluralRules` picks the CLDR category of a number in `lang`
 * (Russian has one/few/many/other: 1 ссылка, 2 ссылки, 5 ссылок, 21 ссылка), and a form is chosen for it.
 * Forms are written with `#` where the number goes, so a language that writes no space (5件のリンク) or
 * puts the number elsewhere needs no code. The word "link" is known in a few languages; templates can
 * spell any word in any language with the `plural` helper (see renderer.ts).
 */

/** Forms by CLDR plural category; `other` is required, it is used for any category not given. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** "N links" by language (the primary subtag of `lang`); other languages get English. */
const LINKS: Record<string, PluralForms> = {
  en: { one: '# link', other: '# links' },
  cs: { one: '# odkaz', few: '# odkazy', many: '# odkazu', other: '# odkazů' },
  da: { one: '# link', other: '# links' },
  de: { one: '# Link', other: '# Links' },
  es: { one: '# enlace', other: '# enlaces' },
  fi: { one: '# linkki', other: '# linkkiä' },
  fr: { one: '# lien', other: '# liens' },
  it: { one: '# link', other: '# link' },
  ja: { other: '#件のリンク' },
  nb: { one: '# lenke', other: '# lenker' },
  nl: { one: '# link', other: '# links' },
  pl: { one: '# link', few: '# linki', many: '# linków', other: '# linku' },
  pt: { one: '# link', other: '# links' },
  ru: { one: '# ссылка', few: '# ссылки', many: '# ссылок', other: '# ссылки' },
  sv: { one: '# länk', other: '# länkar' },
  uk: { one: '# посилання', few: '# посилання', many: '# посилань', other: '# посилання' },
  zh: { other: '# 个链接' },
};

const primary = (lang: string) => lang.toLowerCase().split(/[-_]/)[0] ?? '';

/** Rules and number format for `lang`; an unknown or malformed tag gets English rather than an error. */
function localeOf(lang: string): { rules: Intl.PluralRules; numbers: Intl.NumberFormat } {
  try {
    return { rules: new Intl.PluralRules(lang), numbers: new Intl.NumberFormat(lang) };
  } catch {
    return { rules: new Intl.PluralRules('en'), numbers: new Intl.NumberFormat('en') };
  }
}

export interface Plurals {
  /** The form for `count` with `#` replaced by the number, written as `lang` writes numbers. */
  format(count: number, forms: PluralForms): string;
  /** "1 link", "5 links", "5 ссылок", "21 ссылка", "3 linki". */
  links(count: number): string;
}

export function pluralsFor(lang: string): Plurals {
  const { rules, numbers } = localeOf(lang);
  const known = LINKS[primary(lang)];
  // English words need English rules: a language without a table entry is counted as English throughout.
  const links = known
    ? { forms: known, plurals: rules }
    : { forms: LINKS.en as PluralForms, plurals: localeOf('en').rules };
  const format = (count: number, forms: PluralForms, pluralRules = rules) => {
    const n = Number.isFinite(count) ? count : 0;
    const form = forms[pluralRules.select(n)] ?? forms.other;
    return form.replace(/#/g, numbers.format(n));
  };
  return {
    format: (count, forms) => format(count, forms),
    links: (count) => format(count, links.forms, links.plurals),
  };
}
