/**
 * What the capture child process (capture-child.ts) and its parent
 * (capture-process.ts) say to each other: one JSON object per line on the
 * child's stdout.
 */

/**
 * LLDP (its ethertype, to the nearest-bridge group address) or CDP (Cisco's
 * multicast address; the frame is 802.3 + LLC/SNAP, so there is no ethertype
 * to match). VTP, DTP, PAgP and UDLD share CDP's address and pass the filter;
 * the decoder names them and they are ignored.
 */
export const SWITCH_FILTER =
  "(ether proto 0x88cc and ether dst 01:80:c2:00:00:0e) or ether dst 01:00:0c:cc:cc:cc";

/** Why an interface could not be listened on. */
export type OpenFailure =
  /** No CAP_NET_RAW: the same for every interface, so said once for all. */
  "permission" | "no_such_device" | "not_up" | "other";

export type ChildMessage =
  | { type: "listening"; interface: string; link_type: number }
  | { type: "failed"; interface: string; reason: OpenFailure; message: string }
  | {
      type: "frame";
      interface: string;
      /** Capture time, milliseconds since the epoch. */
      time_ms: number;
      /** Length on the wire (data may be shorter when the snap length cut it). */
      length: number;
      /** The captured bytes, base64. */
      data: string;
    }
  /** The capture on an interface ended by itself (the interface was deleted). */
  | { type: "stopped"; interface: string; message: string }
  /** Sent for each open interface when the child is told to stop. */
  | { type: "stats"; interface: string; received: number; dropped: number };

/** What the child is asked to do, passed as its one argument (JSON). */
export interface ChildRequest {
  interfaces: string[];
  /** Bytes kept of each frame; LLDPDUs and CDP PDUs fit in one Ethernet frame. */
  snapLength: number;
  /** Kernel ring size per interface, in bytes. */
  bufferBytes: number;
}

/** Turns the pcap binding's link type name back into the LINKTYPE_ number. */
export function linkTypeNumber(name: string): number | undefined {
  const known: Record<string, number> = {
    LINKTYPE_NULL: 0,
    LINKTYPE_ETHERNET: 1,
    LINKTYPE_RAW: 101,
    LINKTYPE_IEEE802_11_RADIO: 127,
    LINKTYPE_LINUX_SLL: 113,
  };
  if (Object.hasOwn(known, name)) return known[name];
  // The binding names only five types and reports others as "Unknown linktype N" (N the DLT).
  const match = /^Unknown linktype (\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Classifies libpcap's error text for pcap_create/pcap_activate. libpcap
 * (pcap-linux.c) words a missing CAP_NET_RAW as "socket: Operation not
 * permitted" (EPERM from socket(AF_PACKET)) or, for other paths, "You don't
 * have permission to capture on that device".
 */
export function classifyOpenError(message: string): OpenFailure {
  if (/operation not permitted|permission denied|don't have permission|EPERM|EACCES/i.test(message))
    return "permission";
  if (/no such device/i.test(message)) return "no_such_device";
  if (/not up/i.test(message)) return "not_up";
  return "other";
}

/** Parses one line of the child's output; undefined for anything that is not a message. */
export function parseChildMessage(line: string): ChildMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as { type?: unknown; interface?: unknown };
  if (typeof message.interface !== "string") return undefined;
  switch (message.type) {
    case "listening":
    case "failed":
    case "frame":
    case "stopped":
    case "stats":
      return value as ChildMessage;
    default:
      return undefined;
  }
}
