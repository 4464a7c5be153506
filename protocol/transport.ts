/**
 * The two layers under the application messages (protocol/messages.ts), as
 * interfaces, so the probe and the CMA are written against them:
 *
 * - PacketEndpoint (protocol/crypto/): one UDP socket; every datagram sealed with
 *   X25519 + HKDF + ChaCha20-Poly1305, replay-checked; peers named by public key.
 * - Messenger (protocol/reliable/): over a PacketEndpoint; sessions negotiated
 *   explicitly, sequenced, acknowledged after the receiver's handler succeeds,
 *   retransmitted with backoff, de-duplicated, delivered in order per peer;
 *   bodies of any size compressed and fragmented.
 */

/** "session": reliable CMA<->probe traffic. "heartbeat": probe<->probe heartbeats. */
export type PacketKind = "session" | "heartbeat";

export interface UdpAddress {
  address: string;
  port: number;
}

/** A datagram that was authenticated, decrypted and found fresh (not a replay). */
export interface OpenedPacket {
  kind: PacketKind;
  /** Sender's X25519 public key, base64url: the sender's identity. */
  sender: string;
  /** Random per sender process start (16 hex digits): binds the packet to one run of the sender. */
  startId: string;
  /** Per (sender, startId) packet counter, strictly unique. */
  counter: bigint;
  plaintext: Buffer;
  /** Where it came from (the source of the UDP datagram, NAT-safe). */
  from: UdpAddress;
}

/** Decides, before any crypto, whether to spend work on a packet from this key and source. */
export type AdmissionPolicy = (senderKey: string, kind: PacketKind, from: UdpAddress) => boolean;

export interface PacketEndpoint {
  /** This endpoint's public key, base64url. */
  readonly publicKey: string;
  /** This process start's id (16 hex digits). */
  readonly startId: string;
  /** The bound local address. */
  address(): UdpAddress;
  /** Seals plaintext for peerKey and sends it to `to`. Never throws on network errors (counted). */
  send(peerKey: string, to: UdpAddress, kind: PacketKind, plaintext: Buffer): void;
  /** One handler; packets that fail any check never reach it (they are counted by reason). */
  onPacket(handler: (packet: OpenedPacket) => void): void;
  /** Counters: sent, received, dropped_<reason> (too_short, bad_magic, bad_version, not_admitted, rate_limited, auth_failed, replayed, ...). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

export interface PeerInfo {
  key: string;
  from: UdpAddress;
  /** The peer's current (negotiated) start id. */
  startId: string;
}

/** Thrown by a message handler to refuse a message for good: the sender's send() rejects with it, no retransmission. */
export class MessageRefusedError extends Error {
  override name = "MessageRefusedError";
}

export interface SendOptions {
  /** Give up (send() rejects with MessageTimeoutError) after this long; default: never. */
  timeoutMs?: number;
}

export class MessageTimeoutError extends Error {
  override name = "MessageTimeoutError";
}

export interface Messenger {
  /**
   * Sends one message reliably; resolves when the peer's handler has finished with
   * it (application-level acknowledgement). Rejects with MessageRefusedError when
   * the peer refused it, MessageTimeoutError after options.timeoutMs.
   */
  send(
    peerKey: string,
    to: UdpAddress,
    type: string,
    body: unknown,
    options?: SendOptions,
  ): Promise<void>;
  /**
   * The handler for incoming messages. Messages from one peer are handled one at a
   * time, in order; the acknowledgement is sent only after the returned promise
   * resolves. If it rejects (other than MessageRefusedError), no acknowledgement is
   * sent and the sender retransmits.
   */
  onMessage(handler: (peer: PeerInfo, type: string, body: unknown) => Promise<void>): void;
  /** A peer restarted (new start id negotiated) or was forgotten. */
  onPeerRestart(handler: (peer: PeerInfo, previousStartId: string | null) => void): void;
  /** Drops all state about a peer (pending sends reject with MessageTimeoutError). */
  forget(peerKey: string): void;
  /** Messages not yet acknowledged, per peer key. */
  pending(): Record<string, number>;
  stats(): Record<string, number>;
  close(): Promise<void>;
}
