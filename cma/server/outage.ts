import type { CmaEventInput } from "./ports.js";

export interface Death {
  member: string;
  hostname: string;
  reason: string;
}

interface SwitchWatch {
  /** Members of the switch ring that were up when the first of them died. */
  expected: Set<string>;
  dead: Map<string, Death>;
  /** Members a direct check found alive while the watch was open. */
  alive: Set<string>;
  opened: number;
}

/**
 * Turns confirmed deaths into events, judging the members of one switch ring
 * together. When one dies, the CMA checks the others; the judgement is made as
 * soon as every member is known dead or alive, or when the window closes:
 * all dead (two or more) → one switch_down and no host_down; otherwise one
 * host_down per death. A host on no switch ring is reported at once. A member
 * of a down switch that comes back ends the outage with one switch_up.
 */
export class OutageJudge {
  private readonly watches = new Map<string, SwitchWatch>();
  private readonly downSwitches = new Set<string>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (event: CmaEventInput) => void,
  ) {}

  /** A confirmed death. `upMembers`: the switch ring's members that were up, itself included. */
  died(death: Death, switchKey: string | null, upMembers: readonly string[], now: number): void {
    if (switchKey === null) {
      this.hostDown(death);
      return;
    }
    let watch = this.watches.get(switchKey);
    if (!watch) {
      watch = { expected: new Set(upMembers), dead: new Map(), alive: new Set(), opened: now };
      this.watches.set(switchKey, watch);
    }
    watch.expected.add(death.member);
    watch.alive.delete(death.member);
    watch.dead.set(death.member, death);
    this.judge(switchKey, watch, false);
  }

  /** A direct check found a member of a watched switch alive. */
  alive(member: string, switchKey: string | null): void {
    const watch = switchKey === null ? undefined : this.watches.get(switchKey);
    if (!watch || !switchKey || watch.dead.has(member)) return;
    watch.alive.add(member);
    this.judge(switchKey, watch, false);
  }

  /** A member came back (re-registered or heard again). */
  back(member: string, switchKey: string | null): void {
    if (switchKey === null) return;
    const watch = this.watches.get(switchKey);
    if (watch?.dead.has(member)) {
      watch.dead.delete(member);
      watch.alive.add(member);
    }
    if (this.downSwitches.delete(switchKey)) {
      this.emit({
        type: "switch_up",
        system: switchKey,
        switch: switchKey,
        reason: "a host on the switch is heard again",
      });
    }
  }

  isSwitchDown(switchKey: string | null): boolean {
    return switchKey !== null && this.downSwitches.has(switchKey);
  }

  /** Closes windows that ran out. */
  tick(now: number): void {
    for (const [switchKey, watch] of this.watches) {
      if (now - watch.opened >= this.windowMs) this.judge(switchKey, watch, true);
    }
  }

  private judge(switchKey: string, watch: SwitchWatch, windowClosed: boolean): void {
    const known = watch.dead.size + watch.alive.size;
    if (!windowClosed && known < watch.expected.size) return;
    this.watches.delete(switchKey);
    if (watch.alive.size === 0 && watch.dead.size > 1 && known === watch.expected.size) {
      this.downSwitches.add(switchKey);
      this.emit({
        type: "switch_down",
        system: switchKey,
        switch: switchKey,
        reason: `all ${watch.dead.size} hosts on the switch went silent together`,
        details: { hosts: [...watch.dead.values()].map((death) => death.hostname).sort() },
      });
      return;
    }
    for (const death of watch.dead.values()) this.hostDown(death);
  }

  private hostDown(death: Death): void {
    this.emit({
      type: "host_down",
      system: death.member,
      hostname: death.hostname,
      reason: death.reason,
    });
  }
}
