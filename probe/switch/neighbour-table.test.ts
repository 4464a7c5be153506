import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cdpNeighbour, lldpNeighbour } from "../../test/support/neighbours.js";
import type { Neighbour } from "./neighbour.js";
import { type NeighbourChange, NeighbourTable } from "./neighbour-table.js";

const T0 = 1_700_000_000_000;
const seconds = (s: number) => T0 + s * 1000;

function kinds(changes: readonly NeighbourChange[]) {
  return changes.map((c) => (c.kind === "gone" ? `gone:${c.reason}` : c.kind));
}

describe("NeighbourTable: changes only", () => {
  it("reports a new neighbour once, and nothing while the same frame repeats", () => {
    const table = new NeighbourTable();
    const first = table.observe("eth0", "lldp", lldpNeighbour(), T0);
    expect(first.changes).toEqual([{ kind: "new", interface: "eth0", neighbour: lldpNeighbour() }]);
    for (let s = 30; s <= 300; s += 30) {
      expect(table.observe("eth0", "lldp", lldpNeighbour(), seconds(s)).changes).toEqual([]);
    }
    expect(table.snapshot()).toEqual({ eth0: [lldpNeighbour()] });
  });

  it.each([
    ["port.vlan_id", { port: { vlan_id: 200 } }, 100, 200],
    ["port.mtu", { port: { mtu: 9216 } }, undefined, 9216],
    ["port.speed_mbps", { port: { speed_mbps: 10000 } }, undefined, 10000],
    ["port.id", { port: { id: "Gi1/0/8" } }, "Gi1/0/7", "Gi1/0/8"],
    [
      "chassis.description",
      { chassis: { description: "Switch OS 2.0" } },
      "Switch OS 1.0",
      "Switch OS 2.0",
    ],
  ])("reports a changed %s with its old and new value", (field, parts, before, after) => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour(), T0);
    const changed = lldpNeighbour(parts as Parameters<typeof lldpNeighbour>[0]);
    const { changes } = table.observe("eth0", "lldp", changed, seconds(30));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: "changed", interface: "eth0", neighbour: changed });
    const expected: Record<string, unknown> = { field };
    if (before !== undefined) expected.before = before;
    expected.after = after;
    expect(changes[0]?.kind === "changed" && changes[0].changes).toEqual([expected]);
  });

  it("keeps neighbours of different chassis, and of different interfaces, apart", () => {
    const table = new NeighbourTable();
    const other = lldpNeighbour({ chassis: { id: "00:00:5e:00:53:01", name: "sw2" } });
    expect(kinds(table.observe("eth0", "lldp", lldpNeighbour(), T0).changes)).toEqual(["new"]);
    expect(kinds(table.observe("eth0", "lldp", other, T0).changes)).toEqual(["new"]);
    expect(kinds(table.observe("eth1", "lldp", lldpNeighbour(), T0).changes)).toEqual(["new"]);
    const snapshot = table.snapshot();
    expect(Object.keys(snapshot)).toEqual(["eth0", "eth1"]);
    // Sorted by chassis ID.
    expect(snapshot.eth0?.map((n) => n.chassis.id)).toEqual([
      "00:00:5e:00:53:01",
      "00:1b:2c:3d:4e:5f",
    ]);
  });
});

describe("NeighbourTable: ageing", () => {
  it("ages a neighbour out exactly when its TTL runs out, measured from the last frame", () => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour({ ttl_seconds: 120 }), T0);
    table.observe("eth0", "lldp", lldpNeighbour({ ttl_seconds: 120 }), seconds(30));
    expect(table.nextExpiry()).toBe(seconds(150));
    expect(table.expire(seconds(150) - 1)).toEqual([]);
    const gone = table.expire(seconds(150));
    expect(gone).toEqual([
      {
        kind: "gone",
        interface: "eth0",
        reason: "ttl_expired",
        neighbour: lldpNeighbour({ ttl_seconds: 120 }),
      },
    ]);
    expect(table.snapshot()).toEqual({});
    expect(table.nextExpiry()).toBeUndefined();
    expect(table.expire(seconds(1000))).toEqual([]);
  });

  it("removes a neighbour at once on an LLDP shutdown (TTL 0), and ignores one for an unknown chassis", () => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour(), T0);
    const stranger = lldpNeighbour({ chassis: { id: "00:00:5e:00:53:99" }, ttl_seconds: 0 });
    expect(table.observe("eth0", "lldp", stranger, seconds(1)).changes).toEqual([]);
    const { changes } = table.observe(
      "eth0",
      "lldp",
      lldpNeighbour({ ttl_seconds: 0 }),
      seconds(2),
    );
    expect(kinds(changes)).toEqual(["gone:shutdown"]);
    expect(table.snapshot()).toEqual({});
  });
});

describe("NeighbourTable: one device speaking LLDP and CDP is one neighbour", () => {
  it("LLDP first: CDP joining is a change of the same neighbour, not a new one", () => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour(), T0);
    const { changes } = table.observe("eth0", "cdp", cdpNeighbour(), seconds(1));
    expect(kinds(changes)).toEqual(["changed"]);
    const change = changes[0] as Extract<NeighbourChange, { kind: "changed" }>;
    expect(change.neighbour.protocols).toEqual(["cdp", "lldp"]);
    expect(change.changes.map((c) => c.field)).toContain("protocols");
    expect(change.changes.map((c) => c.field)).toContain("chassis.platform");
    expect(table.snapshot().eth0).toHaveLength(1);
  });

  it("CDP first: LLDP joining is a change too, and the identity becomes LLDP's", () => {
    const table = new NeighbourTable();
    expect(kinds(table.observe("eth0", "cdp", cdpNeighbour(), T0).changes)).toEqual(["new"]);
    const { changes } = table.observe("eth0", "lldp", lldpNeighbour(), seconds(1));
    expect(kinds(changes)).toEqual(["changed"]);
    const change = changes[0] as Extract<NeighbourChange, { kind: "changed" }>;
    expect(change.changes).toContainEqual({
      field: "chassis.id",
      before: "sw1.example.net",
      after: "00:1b:2c:3d:4e:5f",
    });
  });

  it("when one protocol falls silent the neighbour stays, then goes with the other", () => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour({ ttl_seconds: 120 }), T0);
    table.observe("eth0", "cdp", cdpNeighbour({ ttl_seconds: 180 }), T0);
    const lldpGone = table.expire(seconds(120));
    expect(kinds(lldpGone)).toEqual(["changed"]);
    expect(lldpGone[0]?.neighbour.protocols).toEqual(["cdp"]);
    expect(kinds(table.expire(seconds(180)))).toEqual(["gone:ttl_expired"]);
  });

  it("an LLDP shutdown leaves the CDP half", () => {
    const table = new NeighbourTable();
    table.observe("eth0", "lldp", lldpNeighbour(), T0);
    table.observe("eth0", "cdp", cdpNeighbour(), T0);
    const { changes } = table.observe(
      "eth0",
      "lldp",
      lldpNeighbour({ ttl_seconds: 0 }),
      seconds(5),
    );
    expect(kinds(changes)).toEqual(["changed"]);
    expect(table.snapshot().eth0?.[0]?.protocols).toEqual(["cdp"]);
  });

  it("two neighbours that turn out to be one device: one changes, the other is gone as merged", () => {
    const table = new NeighbourTable();
    const cdp = cdpNeighbour({
      source_mac: "02:99:99:99:99:99",
      chassis: { id: "core", name: "core", management_addresses: [] },
    });
    table.observe("eth0", "lldp", lldpNeighbour({ chassis: { name: "edge" } }), T0);
    table.observe("eth0", "cdp", cdp, T0);
    expect(table.snapshot().eth0).toHaveLength(2);
    // The LLDP system name changes to the CDP device ID: now they match.
    const { changes } = table.observe(
      "eth0",
      "lldp",
      lldpNeighbour({ chassis: { name: "core" } }),
      seconds(1),
    );
    expect(kinds(changes).sort()).toEqual(["changed", "gone:merged"]);
    expect(table.snapshot().eth0).toHaveLength(1);
  });
});

describe("NeighbourTable: bounded", () => {
  it("keeps at most maxPerInterface neighbours per protocol and says so", () => {
    const table = new NeighbourTable({ maxPerInterface: 3 });
    const forged = (i: number) =>
      lldpNeighbour({
        chassis: { id: `02:00:00:00:00:${i.toString(16).padStart(2, "0")}`, name: `f${i}` },
        source_mac: `02:00:00:00:01:${i.toString(16).padStart(2, "0")}`,
      });
    for (let i = 0; i < 3; i++)
      expect(table.observe("eth0", "lldp", forged(i), T0).rejected).toBe(false);
    const rejected = table.observe("eth0", "lldp", forged(3), T0);
    expect(rejected).toEqual({ changes: [], rejected: true });
    // A known neighbour is still refreshed, and CDP has its own allowance.
    expect(table.observe("eth0", "lldp", forged(0), seconds(1)).rejected).toBe(false);
    const unrelatedCdp = cdpNeighbour({
      source_mac: "02:99:99:99:99:99",
      chassis: { id: "phone", name: "phone", management_addresses: [] },
    });
    expect(table.observe("eth0", "cdp", unrelatedCdp, T0).rejected).toBe(false);
    expect(table.snapshot().eth0).toHaveLength(4);
  });
});

describe("NeighbourTable: the change stream adds up to the table", () => {
  const neighbourArb = fc.record({
    protocol: fc.constantFrom("lldp" as const, "cdp" as const),
    device: fc.integer({ min: 0, max: 3 }),
    vlan: fc.integer({ min: 1, max: 3 }),
    ttl: fc.constantFrom(0, 5, 30),
    iface: fc.constantFrom("eth0", "eth1"),
    advance: fc.integer({ min: 0, max: 20_000 }),
  });

  type Step = typeof neighbourArb extends fc.Arbitrary<infer T> ? T : never;

  function build(step: Step): Neighbour {
    const mac = `02:00:00:00:00:0${step.device}`;
    const parts = {
      ttl_seconds: step.ttl,
      source_mac: mac,
      port: { vlan_id: step.vlan },
    };
    return step.protocol === "lldp"
      ? lldpNeighbour({
          ...parts,
          chassis: { id: mac, name: `d${step.device}`, management_addresses: [] },
        })
      : cdpNeighbour({
          ...parts,
          chassis: { id: `d${step.device}`, name: `d${step.device}`, management_addresses: [] },
        });
  }

  it("new minus gone is the number of neighbours held; no change is empty", () => {
    fc.assert(
      fc.property(fc.array(neighbourArb, { maxLength: 60 }), (steps) => {
        const table = new NeighbourTable();
        let now = T0;
        let held = 0;
        for (const step of steps) {
          now += step.advance;
          const changes = [
            ...table.expire(now),
            ...table.observe(step.iface, step.protocol, build(step), now).changes,
          ];
          for (const change of changes) {
            if (change.kind === "new") held++;
            if (change.kind === "gone") held--;
            if (change.kind === "changed") expect(change.changes.length).toBeGreaterThan(0);
          }
          const snapshot = table.snapshot();
          const count = Object.values(snapshot).reduce((n, list) => n + list.length, 0);
          expect(held).toBe(count);
          // One device is one neighbour per interface, whatever it speaks.
          for (const list of Object.values(snapshot)) {
            const devices = list.map((n) => n.source_mac);
            expect(new Set(devices).size).toBe(devices.length);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
