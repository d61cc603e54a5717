/** docs/configuration.md is the schema's own account of itself: regenerated here, it must match the file. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseConfig } from '../../lambda/config';
import { configReference, REFERENCE_FILE } from '../docs/config-reference';

/** The rows of the reference's tables: key, type, default, description. */
function tableRows(markdown: string) {
  return markdown
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .map((line) => {
      const cells = line.slice(2, -2).split(/ (?<!\\)\| /);
      return { key: (cells[0] ?? '').replaceAll('`', ''), type: cells[1], default: cells[2] ?? '', text: cells[3] };
    });
}

/** A value by its dotted key (`select.maxBookmarks`). */
const at = (value: unknown, key: string) =>
  key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

describe('docs/configuration.md', () => {
  const written = readFileSync(REFERENCE_FILE, 'utf8');

  it('is what the schema in lambda/config.ts generates', () => {
    const generated = configReference();
    const verdict =
      written === generated ? 'up to date' : 'docs/configuration.md differs from the schema: run `npm run docs:config`';
    expect(verdict).toBe('up to date');
  });

  it('states every default the loader applies to a minimal config, and only those', () => {
    const minimal = {
      title: 'T',
      siteUrl: 'https://t.example',
      from: 'T <t@t.example>',
      source: { type: 'pinboard-api', user: 'me' },
      transport: { type: 'outbox', dir: 'outbox' },
      // Optional blocks whose keys have defaults of their own: given bare, so those defaults apply.
      store: { type: 'dynamodb', table: 'digest' },
      schedule: { cron: '0 7 ? * SAT *' },
      review: { to: 'me@t.example' },
    };
    const parsed = parseConfig(minimal, 'minimal');
    // A default in JSON (`50`, `"hold"`, `[]`); prose ("off on the CLI, on on AWS", `from`) is what code elsewhere decides.
    const json = (cell: string) => {
      try {
        return /^`.*`$/.test(cell) ? { value: JSON.parse(cell.slice(1, -1)) as unknown } : undefined;
      } catch {
        return undefined;
      }
    };
    const documented = tableRows(written).flatMap((r) => {
      const d = json(r.default);
      return d ? [{ key: r.key, value: d.value }] : [];
    });
    expect(documented.length).toBeGreaterThan(25);
    for (const row of documented) {
      expect([row.key, at(parsed, row.key)]).toEqual([row.key, row.value]);
    }
    // Every leaf the loader filled in (not given in `minimal`) is documented with that value.
    const given = new Set([
      'title',
      'siteUrl',
      'from',
      'source',
      'transport',
      'store.type',
      'store.table',
      'schedule.cron',
      'review.to',
    ]);
    const leaves = (value: unknown, key: string): string[] =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => leaves(v, key ? `${key}.${k}` : k))
        : [key];
    const filled = leaves(parsed, '').filter((k) => !given.has(k) && !given.has(k.split('.')[0] ?? ''));
    expect(filled.sort()).toEqual(documented.map((r) => r.key).sort());
  });

  it('has a type and a description for every key', () => {
    const rows = tableRows(written);
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['title', 'linkCheck.holdDays', 'sections[].tags']));
    for (const row of rows) {
      const filled = { key: row.key, type: Boolean(row.type?.trim()), text: Boolean(row.text?.trim()) };
      expect(filled).toEqual({ key: row.key, type: true, text: true });
    }
  });

  it('refuses a key the schema does not describe', () => {
    const undescribed = z.strictObject({
      a: z.string().describe('A.'),
      b: z.strictObject({ c: z.number().describe('C.') }),
    });
    expect(() => configReference(undescribed)).toThrow('config key b has no description');
    const inner = z.strictObject({ b: z.strictObject({ c: z.number() }).describe('B.') });
    expect(() => configReference(inner)).toThrow('config key b.c has no description');
  });

  it('writes ranges, allowed values and defaults as the schema holds them', () => {
    const schema = z.strictObject({
      n: z.number().int().min(1).max(5).default(3).describe('N.'),
      p: z.number().positive().optional().describe('P.'),
      e: z.enum(['x', 'y']).default('y').describe('E.'),
      s: z.string().min(1).meta({ description: 'S.', unset: 'the title' }).optional(),
    });
    const rows = tableRows(configReference(schema));
    expect(rows.slice(0, 4)).toEqual([
      { key: 'n', type: 'whole number, from 1 to 5', default: '`3`', text: 'N.' },
      { key: 'p', type: 'number, over 0', default: 'not set', text: 'P.' },
      { key: 'e', type: '`"x"` or `"y"`', default: '`"y"`', text: 'E.' },
      { key: 's', type: 'text of at least 1 character', default: 'the title', text: 'S.' },
    ]);
  });
});
