import type { PeerRef, SendExpectHbBody, StopSendExpectHbBody } from "../../protocol/messages.js";

/** One partner across rings: the peer and the rings on which it is a partner. */
export interface Partner {
  peer: PeerRef;
  rings: Set<string>;
}

interface RingState {
  version: number;
  partners: PeerRef[];
}

/**
 * The partner sets the CMA gave this probe, one per ring. A command applies only
 * when its version is greater than the last applied for its ring, so a
 * retransmitted, duplicated or reordered command cannot undo a newer one.
 */
export class RingPartners {
  private readonly rings = new Map<string, RingState>();

  /** Returns false when the command is older than (or as old as) what is applied. */
  apply(command: SendExpectHbBody): boolean {
    const current = this.rings.get(command.ring);
    if (current && command.version <= current.version) return false;
    this.rings.set(command.ring, { version: command.version, partners: [...command.partners] });
    return true;
  }

  /** Leaves a ring; the version is kept so an older SEND_EXPECT_HB cannot re-add it. */
  stop(command: StopSendExpectHbBody): boolean {
    const current = this.rings.get(command.ring);
    if (current && command.version <= current.version) return false;
    this.rings.set(command.ring, { version: command.version, partners: [] });
    return true;
  }

  /** Every partner by key, with the rings it is a partner on. */
  partners(): Map<string, Partner> {
    const byKey = new Map<string, Partner>();
    for (const [ring, state] of this.rings) {
      for (const peer of state.partners) {
        const known = byKey.get(peer.key);
        if (known) {
          known.rings.add(ring);
          known.peer = peer;
        } else {
          byKey.set(peer.key, { peer, rings: new Set([ring]) });
        }
      }
    }
    return byKey;
  }

  /** Per ring, the partners' machine ids (sorted), for status output and tests. */
  view(): Record<string, { version: number; partners: string[] }> {
    const out: Record<string, { version: number; partners: string[] }> = {};
    for (const [ring, state] of [...this.rings].sort(([a], [b]) => a.localeCompare(b))) {
      if (state.partners.length === 0) continue;
      out[ring] = {
        version: state.version,
        partners: state.partners.map((peer) => peer.machine_id).sort(),
      };
    }
    return out;
  }
}
