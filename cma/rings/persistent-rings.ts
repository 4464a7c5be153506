/**
 * Rings whose order lives in the graph: after every change, the placement of each
 * member it touched (its successor on the global ring and on its switch ring) is
 * written to that member's System node, in one transaction, before the commands
 * go out. A restarted CMA reads the placements back and resumes the same rings,
 * so the fleet does not re-register.
 */
import type { GraphStore } from "../graph/store.js";
import type { RingCommand, Rings } from "../server/ports.js";
import { type Placement, RingSet } from "./ring-set.js";

const PROPS = {
  member: "ring_member",
  switchKey: "ring_switch",
  globalNext: "ring_next",
  switchNext: "ring_switch_next",
  formerSwitch: "ring_former_switch",
} as const;

function placementProps(placement: Placement): Record<string, string | boolean | null> {
  return {
    [PROPS.member]: placement.joined,
    [PROPS.switchKey]: placement.switchKey,
    [PROPS.globalNext]: placement.globalNext,
    [PROPS.switchNext]: placement.switchNext,
    [PROPS.formerSwitch]: placement.formerSwitch,
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export class PersistentRings implements Rings {
  private constructor(
    private readonly store: GraphStore,
    readonly rings: RingSet,
  ) {}

  /** Loads the rings stored in the graph; `broken` lists rings whose stored order had to be repaired. */
  static async open(store: GraphStore): Promise<{ rings: PersistentRings; broken: string[] }> {
    const snapshot = await store.snapshot();
    const placements: Placement[] = [];
    for (const node of snapshot.nodes) {
      if (node.label !== "System" || node.gone_since !== null) continue;
      const props = node.props;
      const joined = props[PROPS.member] === true;
      const formerSwitch = text(props[PROPS.formerSwitch]);
      if (!joined && formerSwitch === null) continue;
      placements.push({
        member: node.key,
        joined,
        switchKey: text(props[PROPS.switchKey]),
        globalNext: text(props[PROPS.globalNext]),
        switchNext: text(props[PROPS.switchNext]),
        formerSwitch,
      });
    }
    const { rings, broken } = RingSet.restore(placements);
    return { rings: new PersistentRings(store, rings), broken };
  }

  async join(member: string, switchKey: string | null): Promise<RingCommand[]> {
    return this.stored(member, await this.rings.join(member, switchKey));
  }

  async leave(member: string): Promise<RingCommand[]> {
    return this.stored(member, await this.rings.leave(member));
  }

  async moveSwitch(member: string, switchKey: string | null): Promise<RingCommand[]> {
    return this.stored(member, await this.rings.moveSwitch(member, switchKey));
  }

  restate(member: string): Promise<RingCommand[]> {
    return this.rings.restate(member);
  }

  isMember(member: string): boolean {
    return this.rings.isMember(member);
  }

  partnersOf(member: string): Record<string, string[]> {
    return this.rings.partnersOf(member);
  }

  membersOfSwitch(switchKey: string): string[] {
    return this.rings.membersOfSwitch(switchKey);
  }

  view(): Record<string, string[]> {
    return this.rings.view();
  }

  sizes(): Record<string, number> {
    return this.rings.sizes();
  }

  switchKeyOf(member: string): string | null {
    return this.rings.switchKeyOf(member);
  }

  /** Writes the placement of the member and of everyone a command went to. */
  private async stored(member: string, commands: RingCommand[]): Promise<RingCommand[]> {
    const touched = new Set([member, ...commands.map((command) => command.to)]);
    const at = new Date().toISOString();
    await this.store.write(async (tx) => {
      for (const system of touched) {
        await tx.upsertSystem(
          { key: system, kind: "host", props: placementProps(this.rings.placement(system)) },
          at,
        );
      }
    });
    return commands;
  }
}
