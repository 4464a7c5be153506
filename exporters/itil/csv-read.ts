/**
 * Reading back what csv.ts writes (RFC 4180: quoted cells, doubled quotes,
 * CRLF or LF line ends, line breaks inside quotes), and undoing the formula
 * guard: what an importer of these files does, and what the tests use to
 * show every value comes back unchanged.
 */

/** Rows of cells, the header included. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      if (c === "\r") i++;
    } else cell += c;
    i++;
  }
  if (quoted) throw new Error("CSV ends inside a quoted cell");
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A cell's value without the formula guard csv.ts added (one leading `'`). */
export const unguard = (cell: string): string => (cell.startsWith("'") ? cell.slice(1) : cell);
