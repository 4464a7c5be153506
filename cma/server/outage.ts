import type { CmaEventInput } from "./ports.js";

interface PendingDeath {
  member: string;
  hostname: string;
  reason: string;
  at: number;
}

interface SwitchWatch {
  /** Members of the switch ring that were up when the first of them died. */
  expected: Set<string>;
  dead: Map<string, PendingDeath>;
  opened: number;
}

/**
 * Turns confirmed deaths into events, judging the members of one switch ring
 * together: when every member that was up dies within the window, one
 * switch_down; otherwise one host_down per death once the window closes. A
 * host on no switch ring is reported at once. A member of a down switch that
 * comes back ends the outage with one switch_up.
 */
export class OutageJudge {
  private readonly watches = new Map<string, SwitchWatch>();
  private readonly downSwitches = new Set<string>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (event: CmaEventInput) => void,
  ) {}

  /** A confirmed death. `upMembers`: the switch ring's members up just before it. */
  died(
    death: PendingDeath,
    switchKey: string | null,
    upMembers: readonly string[],
    now: number,
  ): void {
    if (switchKey === null) {
      this.hostDown(death);
      return;
    }
    let watch = this.watches.get(switchKey);
    if (!watch) {
      watch = { expected: new Set([...upMembers, death.member]), dead: new Map(), opened: now };
      this.watches.set(switchKey, watch);
    }
    watch.expected.add(death.member);
    watch.dead.set(death.member, death);
    if (watch.expected.size > 1 && watch.dead.size === watch.expected.size) {
      this.watches.delete(switchKey);
      this.downSwitches.add(switchKey);
      this.emit({
        type: "switch_down",
        system: switchKey,
        switch: switchKey,
        reason: `all ${watch.dead.size} hosts on the switch went silent together`,
        details: { hosts: [...watch.dead.values()].map((d) => d.hostname).sort() },
      });
    }
  }

  /** A member came back (re-registered or heard again). */
  back(member: string, switchKey: string | null): void {
    if (switchKey === null) return;
    const watch = this.watches.get(switchKey);
    watch?.dead.delete(member);
    watch?.expected.delete(member);
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

  /** Closes windows that ran out: their deaths are host deaths. */
  tick(now: number): void {
    for (const [switchKey, watch] of this.watches) {
      if (now - watch.opened < this.windowMs) continue;
      this.watches.delete(switchKey);
      for (const death of watch.dead.values()) this.hostDown(death);
    }
  }

  private hostDown(death: PendingDeath): void {
    this.emit({
      type: "host_down",
      system: death.member,
      hostname: death.hostname,
      reason: death.reason,
    });
  }
}
