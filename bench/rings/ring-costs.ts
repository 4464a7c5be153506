/**
 * What the rings cost, from the CMA's real ring code alone (no network):
 * heartbeat packets per node per second at a fleet size, and the ring commands
 * a day of churn needs.
 */
import { RingSet } from "../../cma/rings/ring-set.js";

const member = (index: number) => `host:${index.toString(16).padStart(32, "0")}`;

export interface FleetRings {
  rings: RingSet;
  size: number;
}

/** N members, `hostsPerSwitch` to a switch, joined in order. */
export async function buildFleet(size: number, hostsPerSwitch: number): Promise<FleetRings> {
  const rings = new RingSet();
  for (let index = 0; index < size; index++) {
    await rings.join(member(index), `switch:sw${Math.floor(index / hostsPerSwitch)}`);
  }
  return { rings, size };
}

/**
 * Heartbeats one node sends per interval: one per distinct partner, averaged
 * over every node, or over `sample` nodes spread by a stride prime to the
 * switch size (an even stride would land on the same place in every switch).
 */
export function heartbeatsPerNodePerInterval(fleet: FleetRings, sample = 20_000): number {
  const nodes = Math.min(sample, fleet.size);
  let packets = 0;
  for (let i = 0; i < nodes; i++) {
    const index = nodes === fleet.size ? i : (i * 104_729) % fleet.size;
    packets += new Set(Object.values(fleet.rings.partnersOf(member(index))).flat()).size;
  }
  return packets / nodes;
}

/**
 * One day of churn: `fraction` of the fleet leaves (dies or is shut down) and
 * as many come back. Returns the ring commands the CMA sent.
 */
export async function churnCommands(
  fleet: FleetRings,
  fraction: number,
  hostsPerSwitch: number,
): Promise<{ leaves: number; joins: number; commands: number }> {
  const count = Math.max(1, Math.round(fleet.size * fraction));
  const step = Math.max(1, Math.floor(fleet.size / count));
  let commands = 0;
  const left: number[] = [];
  for (let index = 0; left.length < count && index < fleet.size; index += step) {
    commands += (await fleet.rings.leave(member(index))).length;
    left.push(index);
  }
  for (const index of left) {
    commands += (
      await fleet.rings.join(member(index), `switch:sw${Math.floor(index / hostsPerSwitch)}`)
    ).length;
  }
  return { leaves: left.length, joins: left.length, commands };
}
