/** Ring persistence (cma/rings/persistent-rings.ts) over each store: a reopened CMA finds the same rings. */
import { expect, it } from "vitest";
import { PersistentRings } from "../../rings/persistent-rings.js";
import { GLOBAL_RING, switchRingName } from "../../rings/ring-set.js";
import { hostSystemKey } from "../keys.js";
import type { GraphStore } from "../store.js";
import { AT } from "./support.js";

const members = Array.from({ length: 9 }, (_, i) =>
  hostSystemKey((i + 1).toString(16).padStart(2, "0").repeat(16)),
);

async function seedSystems(store: GraphStore): Promise<void> {
  await store.write(async (tx) => {
    for (const key of members) await tx.upsertSystem({ key, kind: "host", props: {} }, AT);
  });
}

/** Each ring as a cycle starting at its smallest member, so two views compare by order. */
function canonical(view: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [ring, order] of Object.entries(view)) {
    const start = order.indexOf([...order].sort()[0] as string);
    out[ring] = [...order.slice(start), ...order.slice(0, start)];
  }
  return out;
}

export function ringTests(fresh: () => Promise<GraphStore>): void {
  it("stores ring order so that a reopened CMA resumes the same rings", async () => {
    const store = await fresh();
    await seedSystems(store);
    const { rings, broken } = await PersistentRings.open(store);
    expect(broken).toEqual([]);
    for (const [index, member] of members.entries()) {
      await rings.join(member, index % 3 === 0 ? null : `switch:sw${index % 2}`);
    }
    await rings.leave(members[4] as string);
    await rings.moveSwitch(members[3] as string, "switch:sw9");
    await rings.leave(members[7] as string);
    await rings.join(members[7] as string, null);

    const reopened = await PersistentRings.open(store);
    expect(reopened.broken).toEqual([]);
    expect(canonical(reopened.rings.view())).toEqual(canonical(rings.view()));
    for (const member of members) {
      expect(reopened.rings.partnersOf(member)).toEqual(rings.partnersOf(member));
      expect(reopened.rings.switchKeyOf(member)).toEqual(rings.switchKeyOf(member));
    }
    expect(reopened.rings.isMember(members[4] as string)).toBe(false);
    expect(reopened.rings.view()[switchRingName("switch:sw9")]).toEqual([members[3]]);

    // The restored rings keep working: a join there is stored and read back again.
    const commands = await reopened.rings.join(members[4] as string, "switch:sw0");
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.length).toBeLessThanOrEqual(6);
    const third = await PersistentRings.open(store);
    expect(canonical(third.rings.view())).toEqual(canonical(reopened.rings.view()));
  });

  it("repairs a stored ring whose successors do not form one cycle, and names it", async () => {
    const store = await fresh();
    await seedSystems(store);
    const { rings } = await PersistentRings.open(store);
    for (const member of members.slice(0, 5)) await rings.join(member, null);
    await store.write((tx) =>
      tx.upsertSystem(
        { key: members[2] as string, kind: "host", props: { ring_next: members[2] as string } },
        AT,
      ),
    );
    const reopened = await PersistentRings.open(store);
    expect(reopened.broken).toEqual([GLOBAL_RING]);
    expect([...(reopened.rings.view()[GLOBAL_RING] ?? [])].sort()).toEqual(
      members.slice(0, 5).sort(),
    );
  });
}
