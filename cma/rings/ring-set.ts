/**
 * The heartbeat rings: one global ring and one ring per switch. Each ring is a
 * circular doubly-linked list, so a join or a leave touches only the member and
 * its two neighbours on each ring it is on: at most 6 commands, whatever the
 * size of the fleet.
 *
 * Every command carries the whole partner set of one member on one ring and a
 * version greater than any before it, so a retransmitted or reordered command
 * cannot corrupt a ring: the probe applies only a newer version.
 */
import type { RingCommand, Rings } from "../server/ports.js";

export const GLOBAL_RING = "global";

export function switchRingName(switchKey: string): string {
  return `switch:${switchKey}`;
}

interface Links {
  prev: string;
  next: string;
}

class Ring {
  private readonly links = new Map<string, Links>();

  get size(): number {
    return this.links.size;
  }

  has(member: string): boolean {
    return this.links.has(member);
  }

  /** Inserts before `anchor` (at the "end" of the ring); returns the members whose partners changed. */
  insert(member: string): string[] {
    if (this.links.has(member)) return [];
    const anchor = this.links.keys().next().value as string | undefined;
    if (anchor === undefined) {
      this.links.set(member, { prev: member, next: member });
      return [member];
    }
    const next = this.links.get(anchor) as Links;
    const prevKey = next.prev;
    const prev = this.links.get(prevKey) as Links;
    this.links.set(member, { prev: prevKey, next: anchor });
    prev.next = member;
    next.prev = member;
    return unique([member, prevKey, anchor]);
  }

  /** Removes a member; returns the remaining members whose partners changed. */
  remove(member: string): string[] {
    const links = this.links.get(member);
    if (!links) return [];
    this.links.delete(member);
    if (links.prev === member) return [];
    (this.links.get(links.prev) as Links).next = links.next;
    (this.links.get(links.next) as Links).prev = links.prev;
    return unique([links.prev, links.next]);
  }

  nextOf(member: string): string | null {
    return this.links.get(member)?.next ?? null;
  }

  /** Appends a member after the last one (ring order as given), for restoring a stored ring. */
  append(member: string): void {
    this.insert(member);
  }

  partnersOf(member: string): string[] {
    const links = this.links.get(member);
    if (!links) return [];
    return unique([links.prev, links.next]).filter((partner) => partner !== member);
  }

  /** Members in ring order, starting anywhere. */
  members(): string[] {
    const first = this.links.keys().next().value as string | undefined;
    if (first === undefined) return [];
    const out = [first];
    for (let at = (this.links.get(first) as Links).next; at !== first; ) {
      out.push(at);
      at = (this.links.get(at) as Links).next;
    }
    return out;
  }
}

/** Where one member sits: what ring persistence stores per member (see persistent-rings.ts). */
export interface Placement {
  member: string;
  /** Whether it is on the rings at all; false keeps only formerSwitch. */
  joined: boolean;
  switchKey: string | null;
  /** The member after it on the global ring. */
  globalNext: string | null;
  /** The member after it on its switch ring. */
  switchNext: string | null;
  formerSwitch: string | null;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

export class RingSet implements Rings {
  private readonly rings = new Map<string, Ring>([[GLOBAL_RING, new Ring()]]);
  private readonly switchOf = new Map<string, string | null>();
  /**
   * The switch ring a member was on when it left. A member that comes back (a
   * dead server that was only cut off) may still hold partners there: its join
   * tells it to stop that ring when it does not rejoin it.
   */
  private readonly formerSwitch = new Map<string, string>();
  /**
   * Versions only grow. Starting from the clock (in microseconds) keeps them above
   * every version a previous CMA process handed out.
   */
  private version = Date.now() * 1000;

  async join(member: string, switchKey: string | null): Promise<RingCommand[]> {
    if (this.switchOf.has(member)) return this.restate(member);
    this.switchOf.set(member, switchKey);
    const commands = this.insertInto(GLOBAL_RING, member);
    if (switchKey !== null) commands.push(...this.insertInto(switchRingName(switchKey), member));
    const former = this.formerSwitch.get(member);
    this.formerSwitch.delete(member);
    if (former !== undefined && former !== switchKey) {
      commands.push({
        to: member,
        type: "STOP_SEND_EXPECT_HB",
        body: { ring: switchRingName(former), version: this.next() },
      });
    }
    return commands;
  }

  async leave(member: string): Promise<RingCommand[]> {
    if (!this.switchOf.has(member)) return [];
    const switchKey = this.switchOf.get(member) ?? null;
    this.switchOf.delete(member);
    const commands = this.removeFrom(GLOBAL_RING, member);
    if (switchKey !== null) {
      this.formerSwitch.set(member, switchKey);
      commands.push(...this.removeFrom(switchRingName(switchKey), member));
    }
    return commands;
  }

  async moveSwitch(member: string, switchKey: string | null): Promise<RingCommand[]> {
    if (!this.switchOf.has(member)) return this.join(member, switchKey);
    const previous = this.switchOf.get(member) ?? null;
    if (previous === switchKey) return [];
    this.switchOf.set(member, switchKey);
    const commands: RingCommand[] = [];
    if (previous !== null) {
      const ring = switchRingName(previous);
      commands.push(...this.removeFrom(ring, member));
      commands.push({
        to: member,
        type: "STOP_SEND_EXPECT_HB",
        body: { ring, version: this.next() },
      });
    }
    if (switchKey !== null) commands.push(...this.insertInto(switchRingName(switchKey), member));
    return commands;
  }

  async restate(member: string): Promise<RingCommand[]> {
    if (!this.switchOf.has(member)) return [];
    return this.ringNamesOf(member).map((ring) => this.expect(ring, member));
  }

  isMember(member: string): boolean {
    return this.switchOf.has(member);
  }

  partnersOf(member: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const ring of this.ringNamesOf(member))
      out[ring] = (this.rings.get(ring) as Ring).partnersOf(member);
    return out;
  }

  membersOfSwitch(switchKey: string): string[] {
    return this.rings.get(switchRingName(switchKey))?.members() ?? [];
  }

  view(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, ring] of this.rings) if (ring.size) out[name] = ring.members();
    return out;
  }

  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, ring] of this.rings) if (ring.size) out[name] = ring.size;
    return out;
  }

  get size(): number {
    return this.switchOf.size;
  }

  /** The switch whose ring the member is on, or null. */
  switchKeyOf(member: string): string | null {
    return this.switchOf.get(member) ?? null;
  }

  placement(member: string): Placement {
    const joined = this.switchOf.has(member);
    const switchKey = this.switchOf.get(member) ?? null;
    return {
      member,
      joined,
      switchKey,
      globalNext: joined ? ((this.rings.get(GLOBAL_RING) as Ring).nextOf(member) ?? null) : null,
      switchNext:
        switchKey === null
          ? null
          : (this.rings.get(switchRingName(switchKey))?.nextOf(member) ?? null),
      formerSwitch: this.formerSwitch.get(member) ?? null,
    };
  }

  /**
   * Rebuilds rings from stored placements, keeping each ring's order by following
   * the stored successors. A ring whose successors do not form one cycle (a store
   * edited by hand, a half-applied change) keeps the order it can follow and gets
   * the rest appended; `broken` names those rings, whose members need a restate.
   */
  static restore(placements: readonly Placement[]): { rings: RingSet; broken: string[] } {
    const set = new RingSet();
    const orders = new Map<string, Map<string, string | null>>();
    const successors = (ring: string) => {
      let map = orders.get(ring);
      if (!map) {
        map = new Map();
        orders.set(ring, map);
      }
      return map;
    };
    for (const placement of placements) {
      if (placement.formerSwitch !== null)
        set.formerSwitch.set(placement.member, placement.formerSwitch);
      if (!placement.joined) continue;
      set.switchOf.set(placement.member, placement.switchKey);
      successors(GLOBAL_RING).set(placement.member, placement.globalNext);
      if (placement.switchKey !== null)
        successors(switchRingName(placement.switchKey)).set(placement.member, placement.switchNext);
    }
    const broken: string[] = [];
    for (const [name, next] of orders) {
      const ring = new Ring();
      set.rings.set(name, ring);
      const [start] = [...next.keys()].sort();
      let at: string | null | undefined = start;
      while (at !== undefined && at !== null && next.has(at) && !ring.has(at)) {
        ring.append(at);
        at = next.get(at);
      }
      if (ring.size !== next.size || at !== start) broken.push(name);
      for (const member of [...next.keys()].sort()) ring.append(member);
    }
    return { rings: set, broken };
  }

  private ringNamesOf(member: string): string[] {
    if (!this.switchOf.has(member)) return [];
    const switchKey = this.switchOf.get(member) ?? null;
    return switchKey === null ? [GLOBAL_RING] : [GLOBAL_RING, switchRingName(switchKey)];
  }

  private insertInto(name: string, member: string): RingCommand[] {
    let ring = this.rings.get(name);
    if (!ring) {
      ring = new Ring();
      this.rings.set(name, ring);
    }
    return ring.insert(member).map((changed) => this.expect(name, changed));
  }

  private removeFrom(name: string, member: string): RingCommand[] {
    const ring = this.rings.get(name);
    if (!ring) return [];
    const changed = ring.remove(member);
    if (!ring.size && name !== GLOBAL_RING) this.rings.delete(name);
    return changed.map((other) => this.expect(name, other));
  }

  private expect(ring: string, member: string): RingCommand {
    const partners = (this.rings.get(ring) as Ring).partnersOf(member);
    return { to: member, type: "SEND_EXPECT_HB", body: { ring, version: this.next(), partners } };
  }

  private next(): number {
    return ++this.version;
  }
}
