/**
 * Reliable, ordered, application-acknowledged messages over a PacketEndpoint.
 * See docs/protocol.md "Reliable delivery" for the frame layout, the session
 * handshake and the timers.
 */
import { randomBytes } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import {
  MessageRefusedError,
  MessageTimeoutError,
  type Messenger,
  type OpenedPacket,
  type PacketEndpoint,
  type PeerInfo,
  type SendOptions,
  type UdpAddress,
} from "../transport.js";
import {
  type AckFrame,
  CHALLENGE,
  COMPRESSED,
  CONFIRM,
  DATA,
  type DataFrame,
  decodeFrame,
  encodeAck,
  encodeChallenge,
  encodeConfirm,
  encodeData,
  type Refusal,
} from "./frames.js";

export interface MessengerLimits {
  /** Largest message, uncompressed (default 16 MiB). */
  maxMessageBytes: number;
  /** Bytes of one DATA frame's chunk (default 1100: datagrams stay under 1200 bytes). */
  chunkBytes: number;
  /** Messages above this many bytes are compressed (default 1024). */
  compressAbove: number;
  /** Frames in flight per peer (default 64). */
  window: number;
  /** Peers tracked at once (default 250,000); idle ones are forgotten first. */
  maxPeers: number;
  minRtoMs: number;
  maxRtoMs: number;
}

export const DEFAULT_LIMITS: MessengerLimits = {
  maxMessageBytes: 16 * 1024 * 1024,
  chunkBytes: 1100,
  compressAbove: 1024,
  window: 64,
  maxPeers: 250_000,
  minRtoMs: 100,
  maxRtoMs: 8000,
};

interface OutFrame {
  seq: bigint;
  chunk: Buffer;
  sentAt: number;
  transmissions: number;
  received: boolean;
}

interface OutMessage {
  type: string;
  payload: Buffer;
  flags: number;
  frames: OutFrame[];
  resolve: () => void;
  reject: (error: Error) => void;
  deadline: number | null;
  /** Timed out after some of it was sent: still delivered (no gap), nobody waits for it. */
  abandoned: boolean;
}

interface Peer {
  key: string;
  address: UdpAddress;
  confirmedStart: string | null;
  challenge: { nonce: Buffer; sentAt: number; rto: number } | null;
  lastChallengeSent: number;
  nextSeq: bigint;
  outbound: OutMessage[];
  rto: number;
  srtt: number | null;
  rttvar: number;
  retransmitAt: number;
  handled: bigint;
  inbound: Map<bigint, DataFrame>;
  inboundBytes: number;
  handling: boolean;
  refusals: Refusal[];
  lastActive: number;
  /** Packet counter of the newest ACK taken: an older one arriving late is ignored. */
  lastAckCounter: bigint;
  /** Bumped by every session reset: a handler finishing after one must not touch the new session. */
  epoch: number;
}

type Handler = (peer: PeerInfo, type: string, body: unknown) => Promise<void>;

export function createMessenger(
  endpoint: PacketEndpoint,
  limits: Partial<MessengerLimits> = {},
): ReliableMessenger {
  return new ReliableMessenger(endpoint, { ...DEFAULT_LIMITS, ...limits });
}

export class ReliableMessenger implements Messenger {
  private readonly peers = new Map<string, Peer>();
  /** Peers with messages not yet acknowledged: the only ones the timer looks at, however many peers there are. */
  private readonly busy = new Set<Peer>();
  private handler: Handler | null = null;
  private restartHandler: ((peer: PeerInfo, previous: string | null) => void) | null = null;
  private readonly counters: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly endpoint: PacketEndpoint,
    private readonly limits: MessengerLimits,
  ) {
    this.timer = setInterval(() => this.tick(), 20);
    this.timer.unref();
  }

  send(
    peerKey: string,
    to: UdpAddress,
    type: string,
    body: unknown,
    options: SendOptions = {},
  ): Promise<void> {
    if (this.closed) return Promise.reject(new MessageTimeoutError("the messenger is closed"));
    let payload = Buffer.from(JSON.stringify({ t: type, b: body ?? null }), "utf8");
    if (payload.length > this.limits.maxMessageBytes) {
      return Promise.reject(
        new MessageRefusedError(
          `message of ${payload.length} bytes exceeds ${this.limits.maxMessageBytes}`,
        ),
      );
    }
    let flags = 0;
    if (payload.length > this.limits.compressAbove) {
      payload = deflateSync(payload);
      flags |= COMPRESSED;
    }
    const peer = this.peer(peerKey, to);
    peer.address = to;
    return new Promise<void>((resolve, reject) => {
      const message: OutMessage = {
        type,
        payload,
        flags,
        frames: [],
        resolve,
        reject,
        deadline: options.timeoutMs === undefined ? null : performance.now() + options.timeoutMs,
        abandoned: false,
      };
      peer.outbound.push(message);
      this.busy.add(peer);
      this.count("messages_sent");
      if (peer.confirmedStart === null) this.challenge(peer, true);
      else {
        this.number(peer, message);
        this.pump(peer);
      }
    });
  }

  onMessage(handler: Handler): void {
    this.handler = handler;
  }

  onPeerRestart(handler: (peer: PeerInfo, previous: string | null) => void): void {
    this.restartHandler = handler;
  }

  forget(peerKey: string): void {
    const peer = this.peers.get(peerKey);
    if (!peer) return;
    for (const message of peer.outbound) message.reject(new MessageTimeoutError("peer forgotten"));
    this.peers.delete(peerKey);
    this.busy.delete(peer);
  }

  pending(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const peer of this.peers.values())
      if (peer.outbound.length) out[peer.key] = peer.outbound.length;
    return out;
  }

  stats(): Record<string, number> {
    return { ...this.counters, peers: this.peers.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const peer of this.peers.values()) {
      for (const message of peer.outbound)
        message.reject(new MessageTimeoutError("the messenger is closed"));
      peer.outbound = [];
    }
  }

  /** Feed every "session" packet the endpoint opened. */
  receive(packet: OpenedPacket): void {
    if (this.closed || packet.kind !== "session") return;
    const frame = decodeFrame(packet.plaintext);
    if (!frame) {
      this.count("bad_frames");
      return;
    }
    const peer = this.peer(packet.sender, packet.from);
    peer.lastActive = performance.now();
    switch (frame.type) {
      case CHALLENGE:
        peer.address = packet.from;
        this.endpoint.send(peer.key, packet.from, "session", encodeConfirm(frame.nonce));
        if (peer.confirmedStart !== packet.startId) this.challenge(peer, false);
        // The run we share a session with no longer knows ours: it lost the session.
        else if (frame.knownStart !== this.endpoint.startId)
          this.resetSession(peer, "peer_lost_session");
        return;
      case CONFIRM:
        if (peer.challenge?.nonce.equals(frame.nonce)) {
          peer.address = packet.from;
          this.confirm(peer, packet.startId);
        } else this.count("stale_confirms");
        return;
    }
    if (peer.confirmedStart !== packet.startId || frame.dstStart !== this.endpoint.startId) {
      // A packet of another session: an old run of the peer's, or the peer does not know us yet.
      // With a session confirmed, a packet of another run of the peer's is ignored: an old
      // run's is a replay, and a new run challenges us itself. Otherwise we ask who it is.
      this.count("other_session");
      if (peer.confirmedStart === null || peer.confirmedStart === packet.startId)
        this.challenge(peer, false);
      return;
    }
    peer.address = packet.from;
    if (frame.type === DATA) this.data(peer, frame);
    else if (packet.counter > peer.lastAckCounter) {
      peer.lastAckCounter = packet.counter;
      this.ack(peer, frame);
    } else this.count("stale_acks");
  }

  private peer(key: string, address: UdpAddress): Peer {
    let peer = this.peers.get(key);
    if (!peer) {
      if (this.peers.size >= this.limits.maxPeers) this.evictIdle();
      peer = {
        key,
        address,
        confirmedStart: null,
        challenge: null,
        lastChallengeSent: -Infinity,
        nextSeq: 1n,
        outbound: [],
        rto: 1000,
        srtt: null,
        rttvar: 0,
        retransmitAt: Infinity,
        handled: 0n,
        inbound: new Map(),
        inboundBytes: 0,
        handling: false,
        refusals: [],
        lastActive: performance.now(),
        lastAckCounter: 0n,
        epoch: 0,
      };
      this.peers.set(key, peer);
    }
    return peer;
  }

  private evictIdle(): void {
    let oldest: Peer | null = null;
    for (const peer of this.peers.values()) {
      if (peer.outbound.length || peer.handling) continue;
      if (!oldest || peer.lastActive < oldest.lastActive) oldest = peer;
    }
    if (oldest) this.peers.delete(oldest.key);
    this.count("peers_evicted");
  }

  /** Asks the peer to prove its current start (sends at most one challenge per RTO). */
  private challenge(peer: Peer, force: boolean): void {
    const now = performance.now();
    if (peer.challenge && now - peer.challenge.sentAt < peer.challenge.rto && !force) return;
    if (peer.challenge && now - peer.challenge.sentAt < this.limits.minRtoMs) return;
    peer.challenge ??= { nonce: randomBytes(16), sentAt: now, rto: this.limits.minRtoMs * 2 };
    peer.challenge.sentAt = now;
    this.count("challenges_sent");
    this.endpoint.send(
      peer.key,
      peer.address,
      "session",
      encodeChallenge(peer.challenge.nonce, peer.confirmedStart),
    );
  }

  private confirm(peer: Peer, startId: string): void {
    peer.challenge = null;
    const previous = peer.confirmedStart;
    if (previous === startId) return;
    peer.confirmedStart = startId;
    peer.lastAckCounter = 0n;
    this.resetSession(peer, previous === null ? "sessions" : "peer_restarts");
    if (previous !== null)
      this.restartHandler?.({ key: peer.key, from: peer.address, startId }, previous);
  }

  /** A new session: sequence numbers start again on both sides; what was not acknowledged is sent again. */
  private resetSession(peer: Peer, reason: string): void {
    this.count(reason);
    peer.epoch++;
    peer.handled = 0n;
    peer.inbound.clear();
    peer.inboundBytes = 0;
    peer.refusals = [];
    peer.handling = false;
    peer.nextSeq = 1n;
    peer.outbound = peer.outbound.filter((message) => !message.abandoned);
    for (const message of peer.outbound) {
      message.frames = [];
      this.number(peer, message);
    }
    peer.retransmitAt = Infinity;
    this.pump(peer);
  }

  private number(peer: Peer, message: OutMessage): void {
    const { chunkBytes } = this.limits;
    const count = Math.max(1, Math.ceil(message.payload.length / chunkBytes));
    for (let i = 0; i < count; i++) {
      message.frames.push({
        seq: peer.nextSeq++,
        chunk: message.payload.subarray(i * chunkBytes, (i + 1) * chunkBytes),
        sentAt: 0,
        transmissions: 0,
        received: false,
      });
    }
  }

  /** Sends frames never sent that fit in the window. */
  private pump(peer: Peer): void {
    if (peer.confirmedStart === null) return;
    const base = this.windowBase(peer);
    for (const message of peer.outbound) {
      for (const [index, frame] of message.frames.entries()) {
        if (frame.seq >= base + BigInt(this.limits.window)) return;
        if (frame.transmissions === 0) this.transmit(peer, message, index, frame);
      }
    }
  }

  private windowBase(peer: Peer): bigint {
    for (const message of peer.outbound) {
      for (const frame of message.frames) if (!frame.received) return frame.seq;
    }
    return peer.nextSeq;
  }

  private transmit(peer: Peer, message: OutMessage, index: number, frame: OutFrame): void {
    const now = performance.now();
    frame.sentAt = now;
    frame.transmissions++;
    if (frame.transmissions > 1) this.count("retransmitted");
    if (peer.retransmitAt === Infinity) peer.retransmitAt = now + peer.rto;
    this.endpoint.send(
      peer.key,
      peer.address,
      "session",
      encodeData({
        flags: message.flags,
        dstStart: peer.confirmedStart as string,
        seq: frame.seq,
        fragment: index,
        of: message.frames.length,
        chunk: frame.chunk,
      }),
    );
  }

  private ack(peer: Peer, ack: AckFrame): void {
    const now = performance.now();
    let progress = false;
    while (peer.outbound.length) {
      const message = peer.outbound[0] as OutMessage;
      const last = message.frames.at(-1);
      if (!last || last.seq > ack.handled) break;
      peer.outbound.shift();
      progress = true;
      const refusal = ack.refusals.find((r) => r.seq === last.seq);
      if (message.abandoned) {
        this.count("abandoned_delivered");
      } else if (refusal) {
        this.count("refused");
        message.reject(new MessageRefusedError(refusal.reason));
      } else {
        this.count("acked");
        message.resolve();
      }
    }
    for (const message of peer.outbound) {
      for (const frame of message.frames) {
        const offset = frame.seq - ack.receivedThrough - 1n;
        const received =
          frame.seq <= ack.receivedThrough ||
          (offset >= 0n && offset < 64n && ((ack.bitmap >> offset) & 1n) === 1n);
        if (received && !frame.received) {
          progress = true;
          if (frame.transmissions === 1) this.sampleRtt(peer, now - frame.sentAt);
        }
        frame.received = received;
      }
    }
    if (progress) {
      peer.rto = this.rtoOf(peer);
      // Frames received but not yet handled are still probed: the receiver may
      // fail the handler (and forget them) or restart before handling them.
      peer.retransmitAt = peer.outbound.length ? now + peer.rto : Infinity;
      this.pump(peer);
    } else if (peer.outbound.length && peer.retransmitAt === Infinity) {
      peer.retransmitAt = now + peer.rto;
    }
  }

  private sampleRtt(peer: Peer, rtt: number): void {
    if (peer.srtt === null) {
      peer.srtt = rtt;
      peer.rttvar = rtt / 2;
    } else {
      peer.rttvar = 0.75 * peer.rttvar + 0.25 * Math.abs(peer.srtt - rtt);
      peer.srtt = 0.875 * peer.srtt + 0.125 * rtt;
    }
  }

  private rtoOf(peer: Peer): number {
    const rto = peer.srtt === null ? 1000 : peer.srtt + Math.max(10, 4 * peer.rttvar);
    return Math.min(this.limits.maxRtoMs, Math.max(this.limits.minRtoMs, rto));
  }

  private data(peer: Peer, frame: DataFrame): void {
    const maxFrames = BigInt(
      Math.ceil(this.limits.maxMessageBytes / this.limits.chunkBytes) + this.limits.window,
    );
    if (frame.seq <= peer.handled) {
      this.count("duplicates");
    } else if (frame.seq > peer.handled + maxFrames || frame.of > Number(maxFrames)) {
      this.count("beyond_window");
      return;
    } else if (!peer.inbound.has(frame.seq)) {
      if (
        peer.inboundBytes + frame.chunk.length >
        this.limits.maxMessageBytes + this.limits.window * this.limits.chunkBytes
      ) {
        this.count("inbound_full");
        return;
      }
      peer.inbound.set(frame.seq, { ...frame, chunk: Buffer.from(frame.chunk) });
      peer.inboundBytes += frame.chunk.length;
    } else {
      this.count("duplicates");
    }
    this.deliver(peer);
    this.sendAck(peer);
  }

  /** Hands the next complete message to the handler, one at a time per peer. */
  private deliver(peer: Peer): void {
    if (peer.handling || !this.handler) return;
    const first = peer.inbound.get(peer.handled + 1n);
    if (first?.fragment !== 0) return;
    const chunks: Buffer[] = [];
    for (let i = 0; i < first.of; i++) {
      const frame = peer.inbound.get(peer.handled + 1n + BigInt(i));
      if (!frame || frame.fragment !== i || frame.of !== first.of) return;
      chunks.push(frame.chunk);
    }
    const lastSeq = peer.handled + BigInt(first.of);
    const sessionStart = peer.confirmedStart;
    const epoch = peer.epoch;
    const finish = (refusal: string | null) => {
      if (peer.epoch !== epoch) return;
      this.dropInbound(peer, lastSeq);
      peer.handled = lastSeq;
      if (refusal !== null) {
        peer.refusals.push({ seq: lastSeq, reason: refusal.slice(0, 300) });
        if (peer.refusals.length > 4) peer.refusals.shift();
      }
      peer.handling = false;
      this.sendAck(peer);
      this.deliver(peer);
    };
    let type: string;
    let body: unknown;
    try {
      let bytes = Buffer.concat(chunks);
      if (first.flags & COMPRESSED)
        bytes = inflateSync(bytes, { maxOutputLength: this.limits.maxMessageBytes });
      const decoded = JSON.parse(bytes.toString("utf8")) as { t?: unknown; b?: unknown };
      if (typeof decoded?.t !== "string") throw new Error("no message type");
      type = decoded.t;
      body = decoded.b;
    } catch (error) {
      this.count("malformed_messages");
      finish(`malformed message: ${(error as Error).message}`);
      return;
    }
    peer.handling = true;
    const info: PeerInfo = { key: peer.key, from: peer.address, startId: sessionStart as string };
    this.count("messages_received");
    Promise.resolve()
      .then(() => (this.handler as Handler)(info, type, body))
      .then(
        () => finish(null),
        (error: unknown) => {
          if (error instanceof MessageRefusedError) {
            this.count("refusals_sent");
            finish(error.message);
            return;
          }
          // Not handled: forget the frames, so the sender retransmits and we try again.
          this.count("handler_failures");
          if (peer.epoch !== epoch) return;
          this.dropInbound(peer, lastSeq);
          peer.handling = false;
          this.sendAck(peer);
        },
      );
  }

  /** Forgets the buffered frames of the message after `handled`, which ends at `lastSeq`. */
  private dropInbound(peer: Peer, lastSeq: bigint): void {
    for (let seq = peer.handled + 1n; seq <= lastSeq; seq++) {
      peer.inboundBytes -= peer.inbound.get(seq)?.chunk.length ?? 0;
      peer.inbound.delete(seq);
    }
  }

  private sendAck(peer: Peer): void {
    if (peer.confirmedStart === null) return;
    let through = peer.handled;
    while (peer.inbound.has(through + 1n)) through++;
    let bitmap = 0n;
    for (let i = 0n; i < 64n; i++) if (peer.inbound.has(through + 1n + i)) bitmap |= 1n << i;
    this.endpoint.send(
      peer.key,
      peer.address,
      "session",
      encodeAck({
        dstStart: peer.confirmedStart,
        handled: peer.handled,
        receivedThrough: through,
        bitmap,
        refusals: peer.refusals,
      }),
    );
  }

  private tick(): void {
    const now = performance.now();
    for (const peer of this.busy) {
      this.expire(peer, now);
      if (!peer.outbound.length) {
        peer.retransmitAt = Infinity;
        this.busy.delete(peer);
        continue;
      }
      if (peer.confirmedStart === null) {
        if (peer.challenge && now - peer.challenge.sentAt >= peer.challenge.rto) {
          peer.challenge.rto = Math.min(this.limits.maxRtoMs, peer.challenge.rto * 2);
          this.challenge(peer, true);
        }
        continue;
      }
      if (now < peer.retransmitAt) continue;
      const base = this.windowBase(peer);
      let resent = false;
      for (const message of peer.outbound) {
        for (const [index, frame] of message.frames.entries()) {
          if (frame.seq >= base + BigInt(this.limits.window)) break;
          if (!frame.received) {
            this.transmit(peer, message, index, frame);
            resent = true;
          }
        }
      }
      if (!resent) this.probe(peer);
      peer.rto = Math.min(this.limits.maxRtoMs, peer.rto * 2);
      peer.retransmitAt = now + peer.rto;
    }
  }

  /** Everything sent was received but not handled yet: resend one frame to hear how it stands. */
  private probe(peer: Peer): void {
    const message = peer.outbound[0];
    const index = (message?.frames.length ?? 0) - 1;
    const frame = message?.frames[index];
    if (!message || !frame) return;
    this.count("probes");
    this.transmit(peer, message, index, frame);
  }

  /**
   * Rejects messages past their deadline. One not yet sent at all leaves the
   * stream (the ones after it, unsent too, are numbered again); one partly sent
   * stays in it, abandoned, so the receiver never waits on a gap.
   */
  private expire(peer: Peer, now: number): void {
    let removedFrom: bigint | null = null;
    for (let i = 0; i < peer.outbound.length; i++) {
      const message = peer.outbound[i] as OutMessage;
      if (message.abandoned || message.deadline === null || now < message.deadline) continue;
      this.count("timeouts");
      message.reject(new MessageTimeoutError(`no acknowledgement for ${message.type} in time`));
      if (message.frames.some((frame) => frame.transmissions > 0)) {
        message.abandoned = true;
        continue;
      }
      removedFrom ??= message.frames[0]?.seq ?? null;
      peer.outbound.splice(i--, 1);
    }
    if (removedFrom === null || peer.confirmedStart === null) return;
    peer.nextSeq = removedFrom;
    for (const message of peer.outbound) {
      if ((message.frames[0]?.seq ?? 0n) < removedFrom) continue;
      message.frames = [];
      this.number(peer, message);
    }
    this.pump(peer);
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}
