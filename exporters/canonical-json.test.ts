import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonChunks, inCanonicalOrder } from "./canonical-json.js";
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

describe("inCanonicalOrder", () => {
  it("returns a value already in canonical order as it is, and reorders any other", () => {
    const sorted = { a: [{ b: 1, c: { d: null } }], z: "x", "10": 1, "2": 2 };
    expect(inCanonicalOrder(sorted)).toBe(sorted);
    const unsorted = { z: 1, a: { y: [{ q: 1, p: 2 }], x: 0 }, "10": 1, "2": 2 };
    const ordered = inCanonicalOrder(unsorted);
    expect(ordered).not.toBe(unsorted);
    expect(ordered).toEqual(unsorted);
    expect(JSON.stringify(ordered)).toBe('{"2":2,"10":1,"a":{"x":0,"y":[{"p":2,"q":1}]},"z":1}');
    // The original is left as it was.
    expect(Object.keys(unsorted)).toEqual(["2", "10", "z", "a"]);
  });

  it("keeps a key named __proto__ a key", () => {
    const hostile = JSON.parse('{"z": 1, "__proto__": {"polluted": true}}') as object;
    const ordered = inCanonicalOrder(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(ordered)).toBe(Object.prototype);
    expect(Object.keys(ordered)).toEqual(["__proto__", "z"]);
    expect(canonicalJson(ordered)).toBe(canonicalJson(hostile));
  });

  it("makes canonicalJsonChunks write the same text whichever way an item is written", () => {
    const records = Array.from({ length: 1200 }, (_, i) => ({
      id: `r${i}`,
      kind: "host",
      fields: { name: `h${i}\n"${i}"`, nics: { eth1: { mtu: i }, eth0: { ips: [] } }, "7": i },
    }));
    const mixed = records.map((r, i) => (i % 3 === 0 ? r : inCanonicalOrder(r)));
    const value = { records: mixed, at: "2026-01-01T00:00:00Z" };
    expect([...canonicalJsonChunks(value)].join("")).toBe(reference(value));
  });
});
