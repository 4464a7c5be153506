/**
 * One UDP socket carrying both kinds of traffic: sealed packets (PacketEndpoint)
 * with "session" packets going to the reliable Messenger and "heartbeat" packets
 * to whoever watches heartbeats.
 */
import type { Messenger, OpenedPacket, PacketEndpoint } from "./transport.js";

export interface ProtocolStack {
  endpoint: PacketEndpoint;
  messenger: Messenger;
  onHeartbeat(handler: (packet: OpenedPacket) => void): void;
  close(): Promise<void>;
}
