/**
 * CSV as RFC 4180 writes it (header row, CRLF line ends, every cell in double
 * quotes with inner quotes doubled) and safe to open in a spreadsheet: a cell
 * that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading `'`, so no spreadsheet reads it as a formula (the OWASP CSV
 * injection rule). A value that starts with `'` itself gets one too, so that
 * a reader can always strip one leading `'` to get the value back.
 */

const FORMULA_START = new Set(["=", "+", "-", "@", "\t", "\r", "'"]);

/** The cell's text with the formula guard applied (before quoting). */
export const guardFormula = (value: string): string =>
  FORMULA_START.has(value.charAt(0)) ? `'${value}` : value;

/** One quoted cell; null and undefined are an empty cell. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '""';
  const guarded = guardFormula(value);
  return `"${guarded.includes('"') ? guarded.replaceAll('"', '""') : guarded}"`;
}

/** A whole CSV document: the header, then one line per row (cells by column name). */
export function csvDocument(
  columns: readonly string[],
  rows: readonly Record<string, string | null | undefined>[],
): string {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
