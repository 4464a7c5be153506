/**
 * The real ProtocolStack: one UDP socket sealing every datagram (crypto/endpoint),
 * with "session" packets feeding the reliable Messenger and "heartbeat" packets
 * going to whoever watches heartbeats. The key pair lives in keyDir/keyName.key.
 */
import { listenFailure, listenProblem } from "../lib/listen.js";
import { createPacketEndpoint, type EndpointOptions } from "./crypto/endpoint.js";
import { loadOrCreateKeyPair, loadPublicKey } from "./crypto/keys.js";
import { createMessenger, type MessengerLimits } from "./reliable/messenger.js";
import type { ProtocolStack } from "./stack.js";
import type { AdmissionPolicy, OpenedPacket, PacketEndpoint, UdpAddress } from "./transport.js";

/**
 * The largest datagram either side sends is one DATA frame of 1100 bytes plus
 * framing and sealing (under 1200): anything much larger is refused unopened.
 */
export const STACK_MAX_DATAGRAM = 2048;

export interface UdpStackOptions {
  keyDir: string;
  keyName: string;
  bind: UdpAddress;
  admission?: AdmissionPolicy;
  limits?: Partial<MessengerLimits>;
  newSenderRate?: EndpointOptions["newSenderRate"];
  multicastGroups?: string[];
  multicastInterface?: string;
}

/** The listener name of the ListenError raised when the stack's address cannot be bound. */
export const UDP_LISTENER = "udp";

/**
 * Opens the stack on options.bind. An address it cannot bind for a reason
 * listenProblem names (in use, not this machine's, privileged) is a ListenError
 * whose listener is UDP_LISTENER, so that a command can name its option.
 */
export async function openUdpStack(options: UdpStackOptions): Promise<ProtocolStack> {
  const keyPair = loadOrCreateKeyPair(options.keyDir, options.keyName);
  let endpoint: PacketEndpoint;
  try {
    endpoint = await createPacketEndpoint({
      keyPair,
      bind: options.bind,
      maxDatagram: STACK_MAX_DATAGRAM,
      ...(options.admission ? { admission: options.admission } : {}),
      ...(options.newSenderRate ? { newSenderRate: options.newSenderRate } : {}),
      ...(options.multicastGroups ? { multicastGroups: options.multicastGroups } : {}),
      ...(options.multicastInterface ? { multicastInterface: options.multicastInterface } : {}),
    });
  } catch (error) {
    if (!listenProblem(error)) throw error;
    const { address, port } = options.bind;
    throw listenFailure(UDP_LISTENER, `cannot bind UDP ${address} port ${port}`, error);
  }
  return stackOver(endpoint, options.limits);
}

/** A reliable messenger over the endpoint, session packets routed to it and heartbeats aside. */
export function stackOver(
  endpoint: PacketEndpoint,
  limits: Partial<MessengerLimits> = {},
): ProtocolStack {
  const messenger = createMessenger(endpoint, limits);
  let heartbeat: ((packet: OpenedPacket) => void) | null = null;
  endpoint.onPacket((packet) => {
    if (packet.kind === "session") messenger.receive(packet);
    else heartbeat?.(packet);
  });
  return {
    endpoint,
    messenger,
    onHeartbeat(handler) {
      heartbeat = handler;
    },
    async close() {
      await messenger.close();
      await endpoint.close();
    },
  };
}

/** The CMA's public key as pinned on a probe (one line of base64url in a file). */
export function readPinnedKey(file: string): string {
  return loadPublicKey(file);
}
