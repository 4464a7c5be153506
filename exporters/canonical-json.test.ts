import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonChunks } from "./canonical-json.js";
import { canonical } from "./records.js";

const reference = (value: unknown) => `${JSON.stringify(canonical(value), null, 2)}\n`;

describe("canonicalJson", () => {
  it("writes the same bytes as JSON.stringify of the sorted copy", () => {
    const values: unknown[] = [
      null,
      0,
      -0,
      1.5e300,
      Number.NaN,
      "",
      'line\nbreak \u2028 \ud800 "quoted" \\',
      true,
      [],
      {},
      [[], {}, [null], { a: [] }],
      { b: 1, a: { d: [1, "x", { z: null, y: false }], c: {} }, "": 0, A: 2, é: 3, "~": 4 },
      // Array-index keys: JSON.stringify lists them first, in numeric order.
      { "10": "ten", "2": "two", "01": "not an index", b: 0, "4294967295": "too big", "-1": 0 },
      { ports: { "Gi1/0/1": { wired: ["host:a/eth0"] }, "1": { mtu: 1500 }, __proto__: 1 } },
      { skipped: undefined, fn: () => 1, kept: 1, list: [undefined, () => 1] },
      { only: undefined },
      { when: new Date(0) },
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
  });

  it("refuses a BigInt as JSON.stringify does", () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe("canonicalJsonChunks", () => {
  it("gives the text of canonicalJson in pieces", () => {
    const many = Array.from({ length: 1500 }, (_, i) => ({ id: `r${i}`, n: i, z: [i], a: {} }));
    const values: Record<string, unknown>[] = [
      {},
      { only: undefined },
      { records: [], at: "x" },
      { records: many, at: "x", since: null, empty: [], list: [undefined, 1] },
      { b: many.slice(0, 3), a: many.slice(0, 700), "10": "index first" },
    ];
    for (const value of values) {
      expect([...canonicalJsonChunks(value)].join("")).toBe(canonicalJson(value));
    }
  });
});
