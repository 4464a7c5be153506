/**
 * The switch neighbours heard on each local interface, kept for as long as
 * their TTL says, and reported only when something changes: a new neighbour,
 * a changed field (port, VLAN, MTU, speed, anything), or a neighbour gone
 * (its TTL ran out, or it announced its shutdown with TTL 0).
 *
 * Pure: time comes in as an argument (milliseconds), nothing is read or sent.
 *
 * Identity: per local interface and protocol, a neighbour is its chassis
 * (ID subtype and ID). A frame from a known chassis with a different port ID
 * is the same neighbour whose port changed (the cable moved, or the switch
 * renumbered its ports), reported as a change of port.id. 802.1AB's MSAP
 * identifier (chassis + port) would instead keep the old port as a phantom
 * neighbour until its TTL ran out.
 *
 * LLDP and CDP from the same device are merged into one neighbour (see
 * merge.ts). Changes are reported on the merged neighbours: when CDP joins a
 * neighbour known from LLDP that is a "changed" (protocols gained "cdp"),
 * not a new neighbour.
 */
import { isDeepStrictEqual } from "node:util";
import { type FieldChange, fieldChanges } from "./field-changes.js";
import { mergeNeighbours, pairNeighbours } from "./merge.js";
import type { Neighbour, SwitchProtocol } from "./neighbour.js";

export type GoneReason =
  /** Nothing heard from it within its TTL. */
  | "ttl_expired"
  /** It sent TTL 0: an LLDP shutdown PDU. */
  | "shutdown"
  /** It is now part of another neighbour (it turned out to be the same device). */
  | "merged";

export type NeighbourChange =
  | { kind: "new"; interface: string; neighbour: Neighbour }
  | { kind: "changed"; interface: string; neighbour: Neighbour; changes: FieldChange[] }
  | { kind: "gone"; interface: string; neighbour: Neighbour; reason: GoneReason };

export interface ObserveResult {
  changes: NeighbourChange[];
  /** The neighbour was new and the interface already holds the maximum; it was not kept. */
  rejected: boolean;
}

export interface NeighbourTableOptions {
  /**
   * Most neighbours (per protocol) kept per interface. A switch port has one;
   * the limit stops forged frames with ever new chassis IDs from growing the table.
   */
  maxPerInterface?: number;
}

interface Entry {
  protocol: SwitchProtocol;
  neighbour: Neighbour;
  expiresAt: number;
}

/** A neighbour as reported: one LLDP entry, one CDP entry, or both merged. */
interface View {
  members: string[];
  neighbour: Neighbour;
}

export const DEFAULT_MAX_PER_INTERFACE = 32;

function entryKey(protocol: SwitchProtocol, neighbour: Neighbour): string {
  return `${protocol}\u0000${neighbour.chassis.id_subtype}\u0000${neighbour.chassis.id}`;
}

function compareNeighbours(a: Neighbour, b: Neighbour): number {
  const ka = `${a.chassis.id}\u0000${a.port.id}`;
  const kb = `${b.chassis.id}\u0000${b.port.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class NeighbourTable {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly views = new Map<string, View[]>();
  private readonly maxPerInterface: number;

  constructor(options: NeighbourTableOptions = {}) {
    this.maxPerInterface = options.maxPerInterface ?? DEFAULT_MAX_PER_INTERFACE;
  }

  /** Records a decoded neighbour heard on `iface` at time `now` (ms). */
  observe(
    iface: string,
    protocol: SwitchProtocol,
    neighbour: Neighbour,
    now: number,
  ): ObserveResult {
    let table = this.entries.get(iface);
    const key = entryKey(protocol, neighbour);
    if (neighbour.ttl_seconds <= 0) {
      if (!table?.delete(key)) return { changes: [], rejected: false };
      return { changes: this.refresh(iface, "shutdown"), rejected: false };
    }
    if (!table) {
      table = new Map();
      this.entries.set(iface, table);
    }
    if (!table.has(key)) {
      const sameProtocol = [...table.values()].filter((e) => e.protocol === protocol).length;
      if (sameProtocol >= this.maxPerInterface) return { changes: [], rejected: true };
    }
    // Map.set on a known key keeps its place: neighbours pair in the order first heard.
    table.set(key, { protocol, neighbour, expiresAt: now + neighbour.ttl_seconds * 1000 });
    return { changes: this.refresh(iface, "ttl_expired"), rejected: false };
  }

  /** Drops every neighbour whose TTL has run out by `now`. */
  expire(now: number): NeighbourChange[] {
    const changes: NeighbourChange[] = [];
    for (const [iface, table] of this.entries) {
      let removed = false;
      for (const [key, entry] of table) {
        if (entry.expiresAt <= now) {
          table.delete(key);
          removed = true;
        }
      }
      if (removed) changes.push(...this.refresh(iface, "ttl_expired"));
    }
    return changes;
  }

  /** When the next neighbour expires (ms), or undefined when none is held. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const table of this.entries.values()) {
      for (const entry of table.values()) {
        if (next === undefined || entry.expiresAt < next) next = entry.expiresAt;
      }
    }
    return next;
  }

  /** The current neighbours per interface (merged), sorted by chassis ID then port ID. */
  snapshot(): Record<string, Neighbour[]> {
    const result: Record<string, Neighbour[]> = {};
    for (const iface of [...this.views.keys()].sort()) {
      const views = this.views.get(iface) ?? [];
      if (views.length > 0)
        result[iface] = views.map((view) => view.neighbour).sort(compareNeighbours);
    }
    return result;
  }

  /** Recomputes an interface's merged neighbours and reports how they differ from before. */
  private refresh(iface: string, reason: GoneReason): NeighbourChange[] {
    const before = this.views.get(iface) ?? [];
    const after = mergedViews(this.entries.get(iface) ?? new Map());
    if (after.length === 0) {
      this.views.delete(iface);
      this.entries.delete(iface);
    } else {
      this.views.set(iface, after);
    }
    return diffViews(iface, before, after, reason);
  }
}

function mergedViews(table: ReadonlyMap<string, Entry>): View[] {
  const lldp: [string, Neighbour][] = [];
  const cdp: [string, Neighbour][] = [];
  for (const [key, entry] of table) {
    (entry.protocol === "lldp" ? lldp : cdp).push([key, entry.neighbour]);
  }
  const pairs = pairNeighbours(
    lldp.map(([, n]) => n),
    cdp.map(([, n]) => n),
  );
  const cdpOf = new Map(pairs);
  const pairedCdp = new Set(pairs.map(([, c]) => c));
  const views: View[] = [];
  lldp.forEach(([key, neighbour], li) => {
    const ci = cdpOf.get(li);
    const partner = ci === undefined ? undefined : cdp[ci];
    views.push(
      partner
        ? { members: [key, partner[0]], neighbour: mergeNeighbours(neighbour, partner[1]) }
        : { members: [key], neighbour },
    );
  });
  cdp.forEach(([key, neighbour], ci) => {
    if (!pairedCdp.has(ci)) views.push({ members: [key], neighbour });
  });
  return views;
}

/**
 * Matches the neighbours after a change to those before: a neighbour after is
 * the same as one before when they share an entry (an LLDP or CDP chassis).
 */
function diffViews(
  iface: string,
  before: readonly View[],
  after: readonly View[],
  reason: GoneReason,
): NeighbourChange[] {
  const changes: NeighbourChange[] = [];
  const matched = new Set<View>();
  for (const view of after) {
    const shares = (old: View) =>
      !matched.has(old) && old.members.some((m) => view.members.includes(m));
    // Prefer the old neighbour holding this one's primary (LLDP) entry.
    const old =
      before.find((o) => shares(o) && o.members.includes(view.members[0] as string)) ??
      before.find(shares);
    if (!old) {
      changes.push({ kind: "new", interface: iface, neighbour: view.neighbour });
      continue;
    }
    matched.add(old);
    if (!isDeepStrictEqual(old.neighbour, view.neighbour)) {
      changes.push({
        kind: "changed",
        interface: iface,
        neighbour: view.neighbour,
        changes: fieldChanges(old.neighbour, view.neighbour),
      });
    }
  }
  const present = new Set(after.flatMap((view) => view.members));
  for (const old of before) {
    if (matched.has(old)) continue;
    const merged = old.members.some((m) => present.has(m));
    changes.push({
      kind: "gone",
      interface: iface,
      neighbour: old.neighbour,
      reason: merged ? "merged" : reason,
    });
  }
  return changes;
}
