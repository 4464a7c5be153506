/**
 * A network inside one process: ProtocolStacks that deliver messages by direct
 * call, with no sockets, crypto or retransmission. For simulating very large
 * fleets (`assim simulate` beyond what real UDP on one machine can carry) and
 * for unit tests of the CMA and probe logic. It keeps the Messenger contract
 * that matters to them: per-peer in-order delivery, the handler's refusal
 * reaching the sender, a timeout when the peer is gone.
 */
import { formatAddress } from "./address.js";
import type { ProtocolStack } from "./stack.js";
import {
  MessageRefusedError,
  MessageTimeoutError,
  type Messenger,
  type OpenedPacket,
  type PacketEndpoint,
  type PacketKind,
  type PeerInfo,
  type SendOptions,
  type UdpAddress,
} from "./transport.js";

type MessageHandler = (peer: PeerInfo, type: string, body: unknown) => Promise<void>;

interface Node {
  key: string;
  startId: string;
  address: UdpAddress;
  handler: MessageHandler | null;
  heartbeat: ((packet: OpenedPacket) => void) | null;
  /** Per sender key, the tail of its delivery chain: in-order, one at a time. */
  inbound: Map<string, Promise<void>>;
  alive: boolean;
  counters: Record<string, number>;
}

export class InProcessNetwork {
  private readonly byKey = new Map<string, Node>();
  private readonly byAddress = new Map<string, Node>();
  /** Per message type, how many were delivered; per kind, packets. */
  readonly delivered = new Map<string, number>();
  private nextStart = 1;

  createStack(key: string, address: UdpAddress): ProtocolStack {
    const node: Node = {
      key,
      startId: (this.nextStart++).toString(16).padStart(16, "0"),
      address,
      handler: null,
      heartbeat: null,
      inbound: new Map(),
      alive: true,
      counters: { sent: 0, received: 0, heartbeats_sent: 0, heartbeats_received: 0 },
    };
    this.byKey.set(key, node);
    this.byAddress.set(formatAddress(address), node);
    const network = this;
    const endpoint: PacketEndpoint = {
      publicKey: key,
      startId: node.startId,
      address: () => address,
      send(peerKey: string, to: UdpAddress, kind: PacketKind, plaintext: Buffer) {
        if (!node.alive) return;
        node.counters.heartbeats_sent = (node.counters.heartbeats_sent ?? 0) + 1;
        network.count(`packet:${kind}`);
        const target = network.byAddress.get(formatAddress(to));
        if (!target?.alive || target.key !== peerKey || !target.heartbeat) return;
        target.counters.heartbeats_received = (target.counters.heartbeats_received ?? 0) + 1;
        target.heartbeat({
          kind,
          sender: key,
          startId: node.startId,
          counter: 0n,
          plaintext,
          from: address,
        });
      },
      onPacket() {
        throw new Error(
          "an in-process stack routes packets itself: use onHeartbeat and the messenger",
        );
      },
      stats: () => ({ ...node.counters }),
      close: async () => {
        node.alive = false;
      },
    };
    const messenger: Messenger = {
      send: (peerKey, to, type, body, options) =>
        network.deliver(node, peerKey, to, type, body, options),
      onMessage(handler) {
        node.handler = handler;
      },
      onPeerRestart() {},
      forget() {},
      pending: () => ({}),
      stats: () => ({ ...node.counters }),
      close: async () => {
        node.alive = false;
      },
    };
    return {
      endpoint,
      messenger,
      onHeartbeat(handler) {
        node.heartbeat = handler;
      },
      close: async () => {
        node.alive = false;
      },
    };
  }

  /** Stops a node as kill -9 would: nothing more goes in or out. */
  kill(key: string): void {
    const node = this.byKey.get(key);
    if (node) node.alive = false;
  }

  private count(what: string): void {
    this.delivered.set(what, (this.delivered.get(what) ?? 0) + 1);
  }

  private async deliver(
    from: Node,
    peerKey: string,
    to: UdpAddress,
    type: string,
    body: unknown,
    options: SendOptions | undefined,
  ): Promise<void> {
    const target = this.byKey.get(peerKey);
    if (!from.alive) throw new MessageTimeoutError("sender is closed");
    if (!target?.alive || !target.handler || formatAddress(target.address) !== formatAddress(to)) {
      await new Promise((resolve) => setTimeout(resolve, options?.timeoutMs ?? 0).unref());
      throw new MessageTimeoutError(
        `no answer from ${formatAddress(to)} within ${options?.timeoutMs ?? 0} ms`,
      );
    }
    from.counters.sent = (from.counters.sent ?? 0) + 1;
    this.count(type);
    const handler = target.handler;
    const peer: PeerInfo = { key: from.key, from: from.address, startId: from.startId };
    const previous = target.inbound.get(from.key) ?? Promise.resolve();
    const delivery = previous.then(() => handler(peer, type, body));
    const settled = delivery.then(
      () => undefined,
      () => undefined,
    );
    target.inbound.set(from.key, settled);
    settled.then(() => {
      if (target.inbound.get(from.key) === settled) target.inbound.delete(from.key);
    });
    try {
      await delivery;
      target.counters.received = (target.counters.received ?? 0) + 1;
    } catch (error) {
      if (error instanceof MessageRefusedError) throw new MessageRefusedError(error.message);
      throw error;
    }
  }
}
