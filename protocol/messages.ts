/**
 * The application messages probe and CMA exchange, by name, with their bodies.
 * Transport (sealing, sessions, acknowledgement, fragmentation) is below this:
 * see protocol/crypto/ and protocol/reliable/, and docs/protocol.md.
 *
 * Ring commands carry the whole partner set of one ring with a version, so a
 * retransmitted, duplicated or reordered command can never leave a probe with a
 * partner set the CMA did not mean: a probe applies a ring command only when its
 * version is greater than the last one it applied for that ring.
 */

/** Messages that travel reliably (sequenced, acknowledged, in order per peer). */
export const RELIABLE_MESSAGES = [
  "STARTUP", // probe -> CMA: who I am, where I listen, what I see
  "CONFIG", // CMA -> probe: timers and settings; answers STARTUP
  "SEND_EXPECT_HB", // CMA -> probe: the partners of one ring (set, versioned)
  "STOP_SEND_EXPECT_HB", // CMA -> probe: leave one ring (versioned)
  "DISCOVERY", // probe -> CMA: one discovery document; acknowledged after it is stored
  "HB_DEAD", // probe -> CMA: a partner went silent past deadtime
  "HB_LATE", // probe -> CMA: a partner's heartbeat came after warntime
  "HB_BACK", // probe -> CMA: a partner reported dead is heard again
  "HB_MARTIAN", // probe -> CMA: a heartbeat from a peer that is not a partner
  "SHUTDOWN", // probe -> CMA: graceful stop, not a failure
  "PING", // CMA -> probe: a direct check of a suspect; the acknowledgement is the answer
  "MONITOR", // CMA -> probe: start or stop a monitoring action (#6)
  "MONITOR_RESULT", // probe -> CMA: a monitoring state change (#6)
] as const;
export type ReliableMessageType = (typeof RELIABLE_MESSAGES)[number];

/** Default UDP port of the CMA and of every probe. */
export const DEFAULT_PORT = 1984;
/** The multicast group a probe may use to find the CMA, only when enabled. */
export const DEFAULT_MULTICAST_GROUP = "224.0.2.5";

/** Heartbeat timers, milliseconds. */
export interface HeartbeatTimers {
  interval_ms: number;
  warn_ms: number;
  dead_ms: number;
}

export const DEFAULT_HEARTBEAT_TIMERS: HeartbeatTimers = {
  interval_ms: 1000,
  warn_ms: 3000,
  dead_ms: 10_000,
};

/** A peer as ring commands name it: identity by key, address for sending. */
export interface PeerRef {
  machine_id: string;
  /** The peer's X25519 public key, base64url (43 characters). */
  key: string;
  /** "ip:port" (IPv6 as "[addr]:port"), the address the CMA last saw it at. */
  addr: string;
}

export interface StartupBody {
  machine_id: string;
  hostname: string;
  /** Random per probe process start (hex): a restarted probe is a new start, not a duplicate. */
  start_id: string;
  /** The UDP port the probe listens on for heartbeats and CMA commands. */
  port: number;
  version: string;
}

export interface ConfigBody {
  heartbeat: HeartbeatTimers;
  /** Discovery types the probe runs, and how often (seconds). */
  discovery: {
    types: string[];
    interval_s: number;
    /** How long one `switch` capture listens (seconds); LLDP repeats every 30 s by default. */
    switch_seconds: number;
  };
}

export interface SendExpectHbBody {
  ring: string;
  version: number;
  partners: PeerRef[];
}

export interface StopSendExpectHbBody {
  ring: string;
  version: number;
}

/** HB_DEAD, HB_LATE, HB_BACK, HB_MARTIAN. */
export interface PeerReportBody {
  /** The peer reported about, by key (base64url) and, when known, machine id. */
  peer: { key: string; machine_id: string | null; addr: string };
  /** Ring(s) on which the reporter expects the peer; [] for a martian. */
  rings: string[];
  /** Milliseconds since the peer was last heard (HB_DEAD, HB_LATE), or null. */
  silent_ms: number | null;
}

export interface ShutdownBody {
  reason: string;
}

export type MessageBodies = {
  STARTUP: StartupBody;
  CONFIG: ConfigBody;
  SEND_EXPECT_HB: SendExpectHbBody;
  STOP_SEND_EXPECT_HB: StopSendExpectHbBody;
  DISCOVERY: unknown; // a discovery document, validated by the CMA before storing
  HB_DEAD: PeerReportBody;
  HB_LATE: PeerReportBody;
  HB_BACK: PeerReportBody;
  HB_MARTIAN: PeerReportBody;
  SHUTDOWN: ShutdownBody;
  PING: Record<string, never>;
  MONITOR: unknown;
  MONITOR_RESULT: unknown;
};
