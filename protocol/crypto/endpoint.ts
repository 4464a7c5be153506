/**
 * One UDP socket that seals every datagram it sends and opens every one it
 * receives (see seal.ts). Checks, in order, each failure counted by reason and
 * never thrown: size, header, admission policy, rate limit for senders never
 * verified, authentication, replay.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";
import type {
  AdmissionPolicy,
  OpenedPacket,
  PacketEndpoint,
  PacketKind,
  UdpAddress,
} from "../transport.js";
import type { KeyPair } from "./keys.js";
import { Lru } from "./lru.js";
import { SourceRateLimit } from "./rate-limit.js";
import { ReplayWindows } from "./replay.js";
import { parseHeader, Sealer } from "./seal.js";

export const MAX_DATAGRAM = 65_507;

export interface EndpointOptions {
  keyPair: KeyPair;
  bind: UdpAddress;
  admission?: AdmissionPolicy;
  /** Largest datagram accepted (default 65507). */
  maxDatagram?: number;
  /** Packets per second (and burst) from one source IP whose sender was never verified. */
  newSenderRate?: { rate: number; burst: number };
  /** The same, summed over all sources. */
  newSenderGlobalRate?: { rate: number; burst: number };
  /** Multicast groups to join (the CMA listens for probes looking for it). */
  multicastGroups?: string[];
  /**
   * The local address of the interface multicast is joined and sent on; without
   * it the kernel picks by route, and a host with no route for 224.0.0.0/4 has none.
   */
  multicastInterface?: string;
}

export async function createPacketEndpoint(options: EndpointOptions): Promise<UdpPacketEndpoint> {
  const socket = createSocket({
    type: isIP(options.bind.address) === 6 ? "udp6" : "udp4",
    reuseAddr: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.bind.port, options.bind.address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  try {
    if (options.multicastInterface) socket.setMulticastInterface(options.multicastInterface);
    for (const group of options.multicastGroups ?? [])
      socket.addMembership(group, options.multicastInterface);
  } catch (error) {
    socket.close();
    throw new Error(
      `cannot use multicast${options.multicastInterface ? ` on ${options.multicastInterface}` : ""}: ${(error as Error).message}`,
    );
  }
  return new UdpPacketEndpoint(socket, options);
}

export class UdpPacketEndpoint implements PacketEndpoint {
  readonly publicKey: string;
  readonly startId = randomBytes(8).toString("hex");
  private readonly sealer: Sealer;
  private readonly replay = new ReplayWindows();
  private readonly verified = new Lru<string, true>(100_000);
  private readonly perSource: SourceRateLimit;
  private readonly global: SourceRateLimit;
  private readonly counters: Record<string, number> = { sent: 0, received: 0 };
  private handler: ((packet: OpenedPacket) => void) | null = null;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: EndpointOptions,
  ) {
    this.publicKey = options.keyPair.publicKey;
    this.sealer = new Sealer(options.keyPair, this.startId);
    const source = options.newSenderRate ?? { rate: 50, burst: 100 };
    const all = options.newSenderGlobalRate ?? { rate: 2000, burst: 4000 };
    this.perSource = new SourceRateLimit(source.rate, source.burst);
    this.global = new SourceRateLimit(all.rate, all.burst);
    socket.on("message", (datagram, rinfo) =>
      this.receive(datagram, { address: rinfo.address, port: rinfo.port }),
    );
    socket.on("error", () => this.count("socket_errors"));
  }

  address(): UdpAddress {
    const bound = this.socket.address();
    return { address: bound.address, port: bound.port };
  }

  send(peerKey: string, to: UdpAddress, kind: PacketKind, plaintext: Buffer): void {
    if (this.closed) return;
    const datagram = this.sealer.seal(peerKey, kind, plaintext);
    if (!datagram) {
      this.count("send_bad_peer_key");
      return;
    }
    if (datagram.length > (this.options.maxDatagram ?? MAX_DATAGRAM)) {
      this.count("send_too_large");
      return;
    }
    this.socket.send(datagram, to.port, to.address, (error) => {
      this.count(error ? "send_errors" : "sent");
    });
  }

  onPacket(handler: (packet: OpenedPacket) => void): void {
    this.handler = handler;
  }

  /** Every check a received datagram goes through; public so tests can feed it directly. */
  receive(datagram: Buffer, from: UdpAddress): void {
    if (this.closed) return;
    this.count("received");
    const checked = this.check(datagram, from);
    if (typeof checked === "string") {
      this.drop(checked);
      return;
    }
    this.count("accepted");
    try {
      this.handler?.(checked);
    } catch {
      this.count("handler_errors");
    }
  }

  /** The opened packet, or the reason it is dropped. */
  private check(datagram: Buffer, from: UdpAddress): OpenedPacket | string {
    if (datagram.length > (this.options.maxDatagram ?? MAX_DATAGRAM)) return "oversized";
    const parsed = parseHeader(datagram);
    if (!parsed.ok) return parsed.reason;
    const { header } = parsed;
    if (this.options.admission && !this.options.admission(header.sender, header.kind, from)) {
      return "not_admitted";
    }
    if (!this.verified.has(header.sender)) {
      if (!this.perSource.take(from.address) || !this.global.take("*")) return "rate_limited";
    }
    const plaintext = this.sealer.open(datagram, header);
    if (!plaintext) return "auth_failed";
    if (!this.replay.accept(header.sender, header.startId, header.counter)) return "replayed";
    this.verified.set(header.sender, true);
    return {
      kind: header.kind,
      sender: header.sender,
      startId: header.startId,
      counter: header.counter,
      plaintext,
      from,
    };
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private drop(reason: string): void {
    this.count(`dropped_${reason}`);
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}
