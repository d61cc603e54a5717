import fc from 'fast-check';
import { csvField, csvValue, parseCsvRows } from '../../../lambda/core/csv';

describe('parseCsvRows', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers rows by the line they start on', () => {
    const text = '\uFEFFemail,name\r\n"a@x.io","Smith, ""Bo"""\r\n\r\nb@x.io,"two\nlines"\nc@x.io,C\n';
    expect(parseCsvRows(text)).toEqual({
      rows: [
        { line: 1, fields: ['email', 'name'] },
        { line: 2, fields: ['a@x.io', 'Smith, "Bo"'] },
        { line: 4, fields: ['b@x.io', 'two\nlines'] },
        { line: 6, fields: ['c@x.io', 'C'] },
      ],
    });
  });

  it('names the line of a quoted field that never closes', () => {
    expect(parseCsvRows('email\nok@x.io\n"broken@x.io\nmore@x.io\n').error).toBe(
      'line 3: a quoted field is never closed',
    );
  });
});

describe('csvField and csvValue', () => {
  it('keep spreadsheet formulas inert, and read back every value exactly', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-a@x.io')).toBe(`"'-a@x.io"`);
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 4 }), (values) => {
        const line = `${values.map(csvField).join(',')}\n`;
        const { rows, error } = parseCsvRows(`h\n${line}`);
        if (values.every((v) => v.trim() === '')) return; // a blank row is skipped, as intended
        expect(error).toBeUndefined();
        expect(rows[1]?.fields.map(csvValue)).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });
});
