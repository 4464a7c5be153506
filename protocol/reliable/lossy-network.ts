/**
 * Test support: PacketEndpoints joined by an in-memory network that loses,
 * duplicates, reorders and delays packets, from a seed so a failure replays.
 * It stands in for the packet layer (tested on its own over real UDP) so the
 * reliable layer can be tried against faults in bulk.
 */
import type { OpenedPacket, PacketEndpoint, PacketKind, UdpAddress } from "../transport.js";

export interface Faults {
  loss: number;
  duplicate: number;
  /** Extra random delay (ms), which reorders. */
  jitterMs: number;
  delayMs: number;
}

export const NO_FAULTS: Faults = { loss: 0, duplicate: 0, jitterMs: 0, delayMs: 0 };

export class LossyNetwork {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  private state: number;
  faults: Faults;
  /** Every packet sent, for replay tests. */
  readonly log: { to: UdpAddress; packet: OpenedPacket }[] = [];

  constructor(seed: number, faults: Faults = NO_FAULTS) {
    this.state = seed >>> 0 || 1;
    this.faults = faults;
  }

  random(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }

  endpoint(key: string, port: number, startId: string): MemoryEndpoint {
    const endpoint = new MemoryEndpoint(this, key, { address: "127.0.0.1", port }, startId);
    this.endpoints.set(String(port), endpoint);
    return endpoint;
  }

  deliver(to: UdpAddress, packet: OpenedPacket, record = true): void {
    if (record && this.log.length < 100_000) this.log.push({ to, packet });
    const copies =
      this.random() < this.faults.loss ? 0 : this.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faults.delayMs + this.random() * this.faults.jitterMs;
      setTimeout(() => this.endpoints.get(String(to.port))?.arrive(packet), delay).unref();
    }
  }
}

export class MemoryEndpoint implements PacketEndpoint {
  private handler: ((packet: OpenedPacket) => void) | null = null;
  private counter = 0n;
  private closed = false;
  readonly counters: Record<string, number> = { sent: 0, received: 0 };

  constructor(
    private readonly network: LossyNetwork,
    readonly publicKey: string,
    private readonly bound: UdpAddress,
    readonly startId: string,
  ) {}

  address(): UdpAddress {
    return this.bound;
  }

  send(_peerKey: string, to: UdpAddress, kind: PacketKind, plaintext: Buffer): void {
    if (this.closed) return;
    this.counters.sent = (this.counters.sent ?? 0) + 1;
    this.counter += 1n;
    this.network.deliver(to, {
      kind,
      sender: this.publicKey,
      startId: this.startId,
      counter: this.counter,
      plaintext: Buffer.from(plaintext),
      from: this.bound,
    });
  }

  arrive(packet: OpenedPacket): void {
    if (this.closed) return;
    this.counters.received = (this.counters.received ?? 0) + 1;
    this.handler?.(packet);
  }

  onPacket(handler: (packet: OpenedPacket) => void): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
