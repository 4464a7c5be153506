import { describe, expect, it } from "vitest";
import { indentedJsonChunks } from "./json-chunks.js";

describe("indentedJsonChunks", () => {
  it("gives the text of JSON.stringify(value, null, 2) in pieces", () => {
    const many = Array.from({ length: 1300 }, (_, i) => ({
      b: `r${i}`,
      a: [i, { x: null }],
      e: {},
    }));
    const values: Record<string, unknown>[] = [
      {},
      { only: undefined, fn: () => 1 },
      { items: [], at: 'x\n"y"' },
      { items: many, relations: [[1, 2], [], {}], since: null, list: [undefined, 1] },
      { z: many.slice(0, 2), "10": "index first", a: { nested: [1, [2]] } },
    ];
    for (const value of values) {
      expect([...indentedJsonChunks(value)].join("")).toBe(`${JSON.stringify(value, null, 2)}\n`);
    }
  });
});
