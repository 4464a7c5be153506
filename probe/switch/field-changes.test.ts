import { describe, expect, it } from "vitest";
import { fieldChanges } from "./field-changes.js";

describe("fieldChanges", () => {
  it("names nested fields by dotted path, in key order, with old and new values", () => {
    expect(
      fieldChanges(
        { port: { vlan_id: 100, mtu: 1500 }, ttl_seconds: 120 },
        { port: { vlan_id: 200, mtu: 1500 }, ttl_seconds: 120 },
      ),
    ).toEqual([{ field: "port.vlan_id", before: 100, after: 200 }]);
  });

  it("leaves out before for a new field and after for a removed one", () => {
    expect(fieldChanges({ a: { x: 1 } }, { a: { y: 2 } })).toEqual([
      { field: "a.x", before: 1 },
      { field: "a.y", after: 2 },
    ]);
  });

  it("compares arrays whole, and an object replaced by a scalar at its own path", () => {
    expect(fieldChanges({ v: [1, 2], o: { k: 1 } }, { v: [1, 2, 3], o: 5 })).toEqual([
      { field: "o", before: { k: 1 }, after: 5 },
      { field: "v", before: [1, 2], after: [1, 2, 3] },
    ]);
    expect(fieldChanges({ v: [{ id: 1 }] }, { v: [{ id: 1 }] })).toEqual([]);
  });
});
