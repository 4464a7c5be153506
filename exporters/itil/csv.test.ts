/** CSV cells: RFC 4180 quoting and the formula guard, read back by csv-read.ts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvDocument, guardFormula } from "./csv.js";
import { parseCsv, unguard } from "./csv-read.js";

describe("csv cells", () => {
  it("quotes every cell and doubles inner quotes; null is an empty cell", () => {
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell('say "hi", then\r\nleave')).toBe('"say ""hi"", then\r\nleave"');
    expect(csvCell(null)).toBe('""');
  });

  it("prefixes a cell that starts with = + - @ tab or CR (OWASP) or ' with a quote, and only those", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      expect(guardFormula(`${start}cmd|' /C calc'!A0`)).toBe(`'${start}cmd|' /C calc'!A0`);
    }
    for (const safe of ["a=1", " =1", "1+1", "", "x@y"]) expect(guardFormula(safe)).toBe(safe);
    // A leading quote of the value's own gets the guard too, so a reader can always strip one.
    expect(guardFormula("'=1")).toBe("''=1");
    expect(unguard(guardFormula("'=1"))).toBe("'=1");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });

  it("writes a header and CRLF lines that parse back to the values, guard removed", () => {
    const rows = [
      { a: "=1+2", b: "line\nbreak; } $x {{y}}" },
      { a: null, b: '"quoted", and,commas' },
      { a: "@root", b: "\ttab" },
    ];
    const text = csvDocument(["a", "b"], rows);
    expect(text.endsWith("\r\n")).toBe(true);
    const parsed = parseCsv(text);
    expect(parsed[0]).toEqual(["a", "b"]);
    expect(parsed.slice(1)).toEqual([
      ["'=1+2", "line\nbreak; } $x {{y}}"],
      ["", '"quoted", and,commas'],
      ["'@root", "'\ttab"],
    ]);
    expect(parsed.slice(1).map((r) => r.map(unguard))).toEqual([
      ["=1+2", "line\nbreak; } $x {{y}}"],
      ["", '"quoted", and,commas'],
      ["@root", "\ttab"],
    ]);
  });

  it("round-trips any strings: one row per row, no cell a spreadsheet would read as a formula", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({
              unit: fc.constantFrom("'", "=", "+", "-", "@", "\t", "\r", "\n", '"', ",", "a"),
            }),
            fc.string(),
          ),
          { maxLength: 8 },
        ),
        (pairs) => {
          const text = csvDocument(
            ["x", "y"],
            pairs.map(([x, y]) => ({ x, y })),
          );
          const parsed = parseCsv(text).slice(1);
          expect(parsed).toHaveLength(pairs.length);
          expect(parsed.map((r) => r.map(unguard))).toEqual(pairs);
          for (const cell of parsed.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
    );
  });
});
