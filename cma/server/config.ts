import { DEFAULT_HEARTBEAT_TIMERS, type HeartbeatTimers } from "../../protocol/messages.js";
import { DISCOVERY_INTERVAL_LIMITS, SWITCH_SECONDS_LIMITS } from "./discovery-limits.js";

export interface CmaSettings {
  heartbeat: HeartbeatTimers;
  discovery: { types: string[]; interval_s: number; switch_seconds: number };
  /** How long a direct check (PING) of a suspect may take before it counts as failed. */
  checkTimeoutMs: number;
  /** Deaths on one switch within this window are judged together (switch down or hosts down). */
  outageWindowMs: number;
  /** A late report about one host becomes an event at most this often. */
  lateQuietMs: number;
  /** CMA -> probe commands give up after this long (they are restated when needed). */
  commandTimeoutMs: number;
}

export const DEFAULT_CMA_SETTINGS: CmaSettings = {
  heartbeat: DEFAULT_HEARTBEAT_TIMERS,
  discovery: {
    types: [
      "os",
      "cpu",
      "netconfig",
      "arpcache",
      "tcpdiscovery",
      "packages",
      "monitoringagents",
      "switch",
    ],
    interval_s: DISCOVERY_INTERVAL_LIMITS.defaultS,
    switch_seconds: SWITCH_SECONDS_LIMITS.defaultS,
  },
  checkTimeoutMs: 2 * DEFAULT_HEARTBEAT_TIMERS.interval_ms + 1000,
  outageWindowMs: DEFAULT_HEARTBEAT_TIMERS.dead_ms,
  lateQuietMs: 60_000,
  commandTimeoutMs: 60_000,
};
