import { formatAddress } from "../../protocol/address.js";
import type { PeerRef } from "../../protocol/messages.js";
import type { UdpAddress } from "../../protocol/transport.js";

export type ProbeState = "up" | "down" | "shutdown";

/** What the CMA knows about one registered probe. */
export interface ProbeRecord {
  /** The System key ("host:<machine id>"): the ring member id. */
  system: string;
  machineId: string;
  hostname: string;
  /** Public key, base64url: the probe's identity on the wire. */
  key: string;
  address: UdpAddress;
  startId: string;
  state: ProbeState;
  /** The switch ring it belongs to, or null. */
  switchKey: string | null;
}

/**
 * Registered probes by key and by System. Identity is the key (and the machine id
 * it registered with); the address is only where to send, updated from every
 * authenticated packet (NAT-safe).
 */
export class ProbeRegistry {
  private readonly byKey = new Map<string, ProbeRecord>();
  private readonly bySystem = new Map<string, ProbeRecord>();

  add(record: ProbeRecord): void {
    const previous = this.bySystem.get(record.system);
    if (previous && previous.key !== record.key) this.byKey.delete(previous.key);
    this.byKey.set(record.key, record);
    this.bySystem.set(record.system, record);
  }

  withKey(key: string): ProbeRecord | undefined {
    return this.byKey.get(key);
  }

  ofSystem(system: string): ProbeRecord | undefined {
    return this.bySystem.get(system);
  }

  all(): IterableIterator<ProbeRecord> {
    return this.bySystem.values();
  }

  get size(): number {
    return this.bySystem.size;
  }

  peerRef(system: string): PeerRef | null {
    const record = this.bySystem.get(system);
    if (!record) return null;
    return { machine_id: record.machineId, key: record.key, addr: formatAddress(record.address) };
  }
}
