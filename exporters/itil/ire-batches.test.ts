import { describe, expect, it } from "vitest";
import { checkIre, exportWorld, useStores } from "../../test/support/itil.js";
import { ireBatches } from "./ire-batches.js";
import { type IrePayload, irePayload, RELATION } from "./servicenow.js";

const fresh = useStores("assim-ire-batches-");

/** A relation by its ends' internal ids: the same relation whichever payload holds it. */
const named = (payload: IrePayload) =>
  payload.relations.map(
    (r) =>
      `${payload.items[r.parent]?.internal_id} ${r.type} ${payload.items[r.child]?.internal_id}`,
  );

/** What the IRE needs to identify a dependent CI: the relation to the CI it depends on, in its payload. */
function checkIdentifiable(batch: IrePayload): void {
  const has = (type: string, end: "parent" | "child", i: number) =>
    batch.relations.some((r) => r.type === type && r[end] === i);
  batch.items.forEach((item, i) => {
    if (item.className === "cmdb_ci_appl") expect(has(RELATION.runsOn, "parent", i)).toBe(true);
    if (item.className === "cmdb_ci_network_adapter" || item.className === "cmdb_ci_ip_address") {
      expect(has(RELATION.owns, "child", i), item.internal_id).toBe(true);
    }
  });
  const ids = new Set(batch.items.map((i) => i.internal_id));
  for (const r of batch.referenceItems) {
    expect(ids.has(r.referenced) && ids.has(r.referencedBy)).toBe(true);
  }
}

describe("IRE payloads in batches", () => {
  it("keeps each host with its NICs, addresses and applications, and every relation once", async () => {
    const { records } = await exportWorld(await fresh(), true);
    const payload = irePayload(records, "2026-03-01T10:00:00.000Z");
    const hosts = payload.items.filter((i) => i.className.endsWith("_server")).length;
    expect(hosts).toBeGreaterThanOrEqual(4);

    for (const size of [1, 5, 12, 40, payload.items.length]) {
      const batches = ireBatches(payload, size);
      for (const batch of batches) {
        checkIre(batch);
        checkIdentifiable(batch);
      }
      // Every item and relation is in some batch; a relation between units in exactly one
      // (a copy brings along only the relation that identifies it: an application's Runs on).
      const seen = new Set(batches.flatMap((b) => b.items.map((i) => i.internal_id)));
      expect(seen).toEqual(new Set(payload.items.map((i) => i.internal_id)));
      const sent = batches.flatMap(named);
      expect(new Set(sent)).toEqual(new Set(named(payload)));
      const between = (list: string[]) =>
        list.filter((r) => !r.includes(RELATION.runsOn) && !r.includes(RELATION.owns)).sort();
      expect(between(sent)).toEqual(between(named(payload)));
      expect(between(sent).length).toBeGreaterThan(0);
      // Packages (related entries) are sent once, with their host's own batch.
      const related = batches.flatMap((b) => b.items.filter((i) => i.related !== undefined));
      expect(related.map((i) => i.internal_id).sort()).toEqual(
        payload.items
          .filter((i) => i.related !== undefined)
          .map((i) => i.internal_id)
          .sort(),
      );
      expect(batches.flatMap((b) => b.referenceItems)).toHaveLength(payload.referenceItems.length);
    }
    expect(ireBatches(payload, payload.items.length)).toHaveLength(1);
    expect(ireBatches(payload, payload.items.length)[0]).toEqual(payload);
  });

  it("fills batches up to the size, a host's unit never split, and splits a large fleet", async () => {
    const { records } = await exportWorld(await fresh(), false);
    const payload = irePayload(records, "2026-03-01T10:00:00.000Z");
    const batches = ireBatches(payload, 12);
    expect(batches.length).toBeGreaterThan(1);
    // web1's own items (the host, its NICs and addresses) are all in one batch.
    const web1 = payload.items.find((i) => i.values.name === "web1")?.internal_id as string;
    const own = payload.items
      .map((i) => i.internal_id)
      .filter((id) => id.startsWith(`nic:${web1}/`) || id.startsWith(`ip:${web1}/`));
    expect(own.length).toBeGreaterThanOrEqual(3);
    const holding = batches.filter((b) =>
      own.some((id) => b.items.some((i) => i.internal_id === id)),
    );
    expect(holding).toHaveLength(1);
    expect(holding[0]?.items.map((i) => i.internal_id)).toEqual(
      expect.arrayContaining([web1, ...own]),
    );
    for (const batch of batches.slice(0, -1)) expect(batch.items.length).toBeGreaterThan(0);
    expect(() => ireBatches(payload, 0)).toThrow(/at least 1 item/);
  });
});
