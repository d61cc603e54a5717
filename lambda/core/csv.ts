/**
 * RFC 4180 CSV for subscriber lists: quoted fields (with commas, doubled quotes and line breaks inside), CRLF
 * or LF, a UTF-8 byte-order mark. Each row keeps the line it starts on, so a bad one can be named. Pure.
 */

export interface CsvRow {
  /** The line (1-based) the row starts on. */
  line: number;
  fields: string[];
}

/** The rows of `text`, blank lines left out; `error` names the line of a quoted field that never closes. */
export function parseCsvRows(text: string): { rows: CsvRow[]; error?: string } {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let quoteLine = 0;
  let line = 1;
  let rowLine = 1;
  const input = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    fields.push(field);
    if (fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) return { rows, error: `line ${quoteLine}: a quoted field is never closed` };
  if (field !== '' || fields.length > 0) endRow();
  return { rows };
}

// A leading = + - @ (or tab, CR) runs as a formula in a spreadsheet (OWASP "CSV injection"); a leading ' marks
// that protection, so a value that starts with ' gets one more, and csvValue takes exactly one away.
const FORMULA_START = /^[=+\-@\t\r']/;

/** One value for a CSV line: formula-safe, quoted when it must be. `csvValue` reads it back unchanged. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A field as `csvField` meant it: the quote that protected a formula-like value taken away. */
export function csvValue(field: string): string {
  return /^'[=+\-@\t\r']/.test(field) ? field.slice(1) : field;
}
