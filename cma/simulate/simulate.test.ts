import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "../graph/embedded/store.js";
import { PersistentRings } from "../rings/persistent-rings.js";
import { RingSet, switchRingName } from "../rings/ring-set.js";
import { inProcessStacks, runSimulation } from "./simulate.js";
import { udpStacks } from "./udp-stacks.js";

describe("simulation through the CMA's real registration and ring code", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("registers every system, keeps probes' partners equal to the rings, and confirms each death once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assim-sim-"));
    dirs.push(dir);
    const store = await openEmbeddedStore({ dataDir: dir });
    const rings = new RingSet();
    try {
      const report = await runSimulation({
        systems: 300,
        deaths: 5,
        store,
        rings,
        stacks: inProcessStacks(),
      });
      expect(report.systems).toBe(300);
      expect(rings.size).toBe(295);
      expect(report.rings_consistent).toBe(true);
      expect(report.inconsistent_probes).toBe(0);
      expect(report.partners_max).toBeLessThanOrEqual(4);
      expect(report.partners_max).toBeGreaterThanOrEqual(2);
      // A join touches the member and its two neighbours; a leave only the two neighbours.
      expect(report.ring_messages_per_join).toBeLessThanOrEqual(6);
      expect(report.ring_messages_per_leave).toBeLessThanOrEqual(4);
      expect(report.events.host_down).toBe(5);
      expect(report.events.host_up).toBe(300);
      const counts = await store.counts();
      expect(counts.nodes.System?.active).toBe(300);
    } finally {
      await store.close();
    }
  }, 120_000);

  it("moves hosts onto their switch rings from the switch documents they send, over real UDP", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assim-sim-"));
    dirs.push(dir);
    const store = await openEmbeddedStore({ dataDir: dir });
    const { rings } = await PersistentRings.open(store);
    try {
      const report = await runSimulation({
        systems: 60,
        deaths: 3,
        hostsPerSwitch: 20,
        store,
        rings,
        stacks: udpStacks(),
      });
      expect(report.switches).toBe(3);
      expect(report.rings_consistent).toBe(true);
      // Each host moved onto its switch ring: a join there touches it and two neighbours.
      expect(report.ring_messages_per_switch_join).toBeGreaterThan(2);
      expect(report.ring_messages_per_switch_join).toBeLessThanOrEqual(3);
      expect(report.ring_messages_per_leave).toBeLessThanOrEqual(4);
      expect(report.events.host_down).toBe(3);
      const view = rings.view();
      const switchRings = Object.keys(view).filter((ring) => ring.startsWith("switch:"));
      expect(switchRings).toHaveLength(3);
      expect(switchRings.reduce((sum, ring) => sum + (view[ring]?.length ?? 0), 0)).toBe(57);
      expect(view.global).toHaveLength(57);
      // The rings are in the graph: reopened, they are the same.
      const reopened = await PersistentRings.open(store);
      for (const ring of switchRings)
        expect([...(reopened.rings.view()[ring] ?? [])].sort()).toEqual(
          [...(view[ring] ?? [])].sort(),
        );
      expect(switchRings[0]).toMatch(new RegExp(`^${switchRingName("switch:")}`));
    } finally {
      await store.close();
    }
  }, 120_000);
});
