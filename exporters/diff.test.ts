import { describe, expect, it } from "vitest";
import { diffRecords, fieldChanges, isEmptyChangeSet, pathSegment, sameValue } from "./diff.js";
import type { ExportRecord } from "./records.js";

const host = (id: string, fields: ExportRecord["fields"]): ExportRecord => ({
  id,
  kind: "host",
  fields,
});

describe("diffRecords", () => {
  it("finds nothing between equal record sets, whatever the order of keys", () => {
    const a = [host("host:a", { name: "a", nics: { eth0: { mtu: 1500, ips: ["10.0.0.1/24"] } } })];
    const b = [host("host:a", { nics: { eth0: { ips: ["10.0.0.1/24"], mtu: 1500 } }, name: "a" })];
    const changes = diffRecords(a, b);
    expect(changes).toEqual({ added: [], changed: [], removed: [] });
    expect(isEmptyChangeSet(changes)).toBe(true);
  });

  it("gives added, changed and removed records sorted by id", () => {
    const before = [
      host("host:b", { name: "b", status: "up" }),
      host("host:c", { name: "c" }),
      host("host:a", { name: "a", status: "up" }),
    ];
    const after = [
      host("host:d", { name: "d" }),
      host("host:b", { name: "b", status: "down" }),
      host("host:a", { name: "a", status: "down" }),
      host("host:0", { name: "0" }),
    ];
    const changes = diffRecords(before, after);
    expect(changes.added.map((r) => r.id)).toEqual(["host:0", "host:d"]);
    expect(changes.removed).toEqual([host("host:c", { name: "c" })]);
    expect(changes.changed).toEqual([
      { id: "host:a", kind: "host", fields: [{ field: "status", old: "up", new: "down" }] },
      { id: "host:b", kind: "host", fields: [{ field: "status", old: "up", new: "down" }] },
    ]);
    expect(isEmptyChangeSet(changes)).toBe(false);
  });

  it("everything is added against an empty state, and removed against an empty graph", () => {
    const records = [host("host:a", { name: "a" }), host("host:b", { name: "b" })];
    expect(diffRecords([], records)).toEqual({ added: records, changed: [], removed: [] });
    expect(diffRecords(records, [])).toEqual({ added: [], changed: [], removed: records });
  });
});

describe("fieldChanges", () => {
  it("goes into nested objects and names the path, escaping / and ~", () => {
    const before = {
      nics: {
        eth0: { mtu: 1500, switch_port: "Gi1/0/1" },
        "eth0.10": { mtu: 1500 },
        lo: { mtu: 65536 },
      },
      ports: { "Gi1/0/1": { vlan_id: 10 }, "a~b": { vlan_id: 1 } },
    };
    const after = {
      nics: {
        eth0: { mtu: 9000, switch_port: "Gi1/0/2" },
        "eth0.10": { mtu: 1500 },
        eth1: { mtu: 1500 },
      },
      ports: { "Gi1/0/1": { vlan_id: 20 }, "a~b": { vlan_id: 2 } },
    };
    expect(fieldChanges(before, after)).toEqual([
      { field: "nics/eth0/mtu", old: 1500, new: 9000 },
      { field: "nics/eth0/switch_port", old: "Gi1/0/1", new: "Gi1/0/2" },
      { field: "nics/eth1", old: null, new: { mtu: 1500 } },
      { field: "nics/lo", old: { mtu: 65536 }, new: null },
      { field: "ports/Gi1~10~11/vlan_id", old: 10, new: 20 },
      { field: "ports/a~0b/vlan_id", old: 1, new: 2 },
    ]);
  });

  it("compares arrays as whole values, and an absent field as null", () => {
    expect(fieldChanges({ ips: ["10.0.0.1/24"] }, { ips: ["10.0.0.1/24", "10.0.0.2/24"] })).toEqual(
      [{ field: "ips", old: ["10.0.0.1/24"], new: ["10.0.0.1/24", "10.0.0.2/24"] }],
    );
    expect(fieldChanges({ fqdn: null }, {})).toEqual([]);
    expect(fieldChanges({}, { fqdn: "a.example" })).toEqual([
      { field: "fqdn", old: null, new: "a.example" },
    ]);
    // A value that turns from an object into something else is one change.
    expect(fieldChanges({ monitor: { state: "ok" } }, { monitor: null })).toEqual([
      { field: "monitor", old: { state: "ok" }, new: null },
    ]);
    // Types matter: "1" is not 1, false is not null.
    expect(fieldChanges({ a: 1, b: false }, { a: "1", b: null })).toEqual([
      { field: "a", old: 1, new: "1" },
      { field: "b", old: false, new: null },
    ]);
  });

  it("sameValue is deep and order-sensitive for arrays only", () => {
    expect(sameValue([1, [2, { a: 3 }]], [1, [2, { a: 3 }]])).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(pathSegment("a/b~c")).toBe("a~1b~0c");
  });
});
