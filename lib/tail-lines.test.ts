/** The tail reader against real files: chunk boundaries, UTF-8, partial lines, its byte bound. */
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTailLines } from "./tail-lines.js";

const dir = mkdtempSync(join(tmpdir(), "assim-tail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (content: string) => {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
};
const unbounded = { maxBytes: Number.MAX_SAFE_INTEGER };

describe("readTailLines", () => {
  // Lines of varied length, with multi-byte characters, spanning several 64 KiB chunks.
  const lines = Array.from(
    { length: 6_000 },
    (_, i) => `{"n":${i},"text":"${"é🙂x".repeat(i % 37)}"}`,
  );
  const big = file(`${lines.join("\n")}\n`);

  it("gives the last lines in file order, whatever chunk they fall in", async () => {
    for (const count of [1, 2, 999, 5_999, 6_000]) {
      const tail = await readTailLines(big, { maxLines: count, ...unbounded });
      expect(tail.exists).toBe(true);
      expect(tail.lines).toEqual(lines.slice(-count));
    }
    expect((await readTailLines(big, { maxLines: 10_000, ...unbounded })).lines).toEqual(lines);
  });

  it("keeps a last line without its newline and skips blank lines", async () => {
    const path = file('{"a":1}\n\n   \n{"a":2}\n{"a":3}');
    expect((await readTailLines(path, { maxLines: 10, ...unbounded })).lines).toEqual([
      '{"a":1}',
      '{"a":2}',
      '{"a":3}',
    ]);
    expect((await readTailLines(path, { maxLines: 1, ...unbounded })).lines).toEqual(['{"a":3}']);
  });

  it("reads no more than maxBytes from the end, leaving out the line cut at that bound", async () => {
    const path = file("first line that is long\nsecond\nthird\n");
    // The last 11 bytes are "cond\nthird\n": "second" is cut, so only "third" is whole.
    const tail = await readTailLines(path, { maxLines: 10, maxBytes: 11 });
    expect(tail.lines).toEqual(["third"]);
  });

  it("keeps the first line when the bytes read start exactly at its beginning", async () => {
    const path = file("first line that is long\nsecond\nthird\n");
    const tail = await readTailLines(path, { maxLines: 10, maxBytes: "second\nthird\n".length });
    expect(tail.lines).toEqual(["second", "third"]);
    // Without a newline at the end, the same.
    const bare = file("first line that is long\nsecond\nthird");
    const tailOfBare = await readTailLines(bare, {
      maxLines: 10,
      maxBytes: "second\nthird".length,
    });
    expect(tailOfBare.lines).toEqual(["second", "third"]);
  });

  it("finds the end of a 2 GiB file without reading all of it", async () => {
    const path = join(dir, "sparse");
    writeFileSync(path, "");
    truncateSync(path, 2 ** 31); // sparse: two gigabytes of zeros, no newline among them
    appendFileSync(path, '\n{"n":1}\n{"n":2}\n{"n":3}\n');
    expect((await readTailLines(path, { maxLines: 2, maxBytes: 1 << 20 })).lines).toEqual([
      '{"n":2}',
      '{"n":3}',
    ]);
    // More lines wanted than there are: reading stops at maxBytes, inside the zeros.
    expect((await readTailLines(path, { maxLines: 100, maxBytes: 1 << 20 })).lines).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
  });

  it("a missing file is empty and says it does not exist", async () => {
    expect(await readTailLines(join(dir, "absent"), { maxLines: 5, ...unbounded })).toEqual({
      lines: [],
      exists: false,
    });
    expect(await readTailLines(file(""), { maxLines: 5, ...unbounded })).toEqual({
      lines: [],
      exists: true,
    });
  });
});
