import type { HeartbeatTimers, PeerRef, PeerReportBody } from "../../protocol/messages.js";
import type { Partner } from "./ring-partners.js";

export type PeerReportType = "HB_DEAD" | "HB_LATE" | "HB_BACK" | "HB_MARTIAN";

export interface HeartbeatMonitorOptions {
  timers: HeartbeatTimers;
  /** Milliseconds, monotonic. */
  now: () => number;
  /** Called for every report the CMA must get. */
  report: (type: PeerReportType, body: PeerReportBody) => void;
  /** A martian is reported at most once per this many ms (default 10 s). */
  martianQuietMs?: number;
  /** At most this many martians are remembered (default 1024). */
  maxMartians?: number;
}

interface PartnerState extends Partner {
  lastHeard: number;
  dead: boolean;
}

/**
 * Failure detection for this probe's partners: a partner silent past the dead
 * time is reported once (HB_DEAD); a heartbeat after the warn time is HB_LATE;
 * a heartbeat from a partner reported dead is HB_BACK; a heartbeat from a peer
 * that is no partner is HB_MARTIAN, throttled. A new partner gets a full dead
 * time of grace from the moment it became one.
 */
export class HeartbeatMonitor {
  private readonly partners = new Map<string, PartnerState>();
  private readonly martians = new Map<string, number>();
  private timers: HeartbeatTimers;

  constructor(private readonly options: HeartbeatMonitorOptions) {
    this.timers = options.timers;
  }

  setTimers(timers: HeartbeatTimers): void {
    this.timers = timers;
  }

  /** Replaces the partner set; partners that stay keep their history. */
  setPartners(partners: ReadonlyMap<string, Partner>): void {
    const now = this.options.now();
    for (const key of [...this.partners.keys()]) {
      if (!partners.has(key)) this.partners.delete(key);
    }
    for (const [key, partner] of partners) {
      const known = this.partners.get(key);
      if (known) {
        known.peer = partner.peer;
        known.rings = new Set(partner.rings);
      } else {
        this.partners.set(key, {
          peer: partner.peer,
          rings: new Set(partner.rings),
          lastHeard: now,
          dead: false,
        });
        this.martians.delete(key);
      }
    }
  }

  /** The peers to send heartbeats to. */
  peers(): PeerRef[] {
    return [...this.partners.values()].map((partner) => partner.peer);
  }

  /** An authenticated heartbeat arrived from `key` at `addr`. */
  heard(key: string, addr: string): void {
    const now = this.options.now();
    const partner = this.partners.get(key);
    if (!partner) {
      this.martian(key, addr, now);
      return;
    }
    const silent = now - partner.lastHeard;
    partner.lastHeard = now;
    if (partner.dead) {
      partner.dead = false;
      this.options.report("HB_BACK", this.body(partner, silent));
    } else if (silent > this.timers.warn_ms) {
      this.options.report("HB_LATE", this.body(partner, silent));
    }
  }

  /** Reports partners silent past the dead time; call at least every interval. */
  tick(): void {
    const now = this.options.now();
    for (const partner of this.partners.values()) {
      const silent = now - partner.lastHeard;
      if (!partner.dead && silent > this.timers.dead_ms) {
        partner.dead = true;
        this.options.report("HB_DEAD", this.body(partner, silent));
      }
    }
  }

  /** Per partner: machine id, rings, ms since last heard, dead or not. */
  status(): { machine_id: string; rings: string[]; silent_ms: number; dead: boolean }[] {
    const now = this.options.now();
    return [...this.partners.values()]
      .map((partner) => ({
        machine_id: partner.peer.machine_id,
        rings: [...partner.rings].sort(),
        silent_ms: now - partner.lastHeard,
        dead: partner.dead,
      }))
      .sort((a, b) => a.machine_id.localeCompare(b.machine_id));
  }

  private martian(key: string, addr: string, now: number): void {
    const quiet = this.options.martianQuietMs ?? 10_000;
    const last = this.martians.get(key);
    if (last !== undefined && now - last < quiet) return;
    if (last === undefined && this.martians.size >= (this.options.maxMartians ?? 1024)) {
      const oldest = this.martians.keys().next().value;
      if (oldest !== undefined) this.martians.delete(oldest);
    }
    this.martians.delete(key);
    this.martians.set(key, now);
    this.options.report("HB_MARTIAN", {
      peer: { key, machine_id: null, addr },
      rings: [],
      silent_ms: null,
    });
  }

  private body(partner: PartnerState, silent: number): PeerReportBody {
    return {
      peer: { key: partner.peer.key, machine_id: partner.peer.machine_id, addr: partner.peer.addr },
      rings: [...partner.rings].sort(),
      silent_ms: Math.round(silent),
    };
  }
}
