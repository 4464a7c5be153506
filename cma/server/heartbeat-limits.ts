/**
 * The heartbeat timers as `assim cma` takes them, from its options or from
 * cma.heartbeat in a configuration file: their defaults and limits, in ms.
 */
import { DEFAULT_HEARTBEAT_TIMERS } from "../../protocol/messages.js";

export type HeartbeatTimer = "interval" | "warn" | "dead";

export interface HeartbeatTimerLimits {
  defaultMs: number;
  minMs: number;
  maxMs: number;
}

/** In the order the timers must keep: interval < warn < dead. */
export const HEARTBEAT_TIMERS: readonly [HeartbeatTimer, HeartbeatTimerLimits][] = [
  ["interval", { defaultMs: DEFAULT_HEARTBEAT_TIMERS.interval_ms, minMs: 1, maxMs: 600_000 }],
  ["warn", { defaultMs: DEFAULT_HEARTBEAT_TIMERS.warn_ms, minMs: 1, maxMs: 3_600_000 }],
  ["dead", { defaultMs: DEFAULT_HEARTBEAT_TIMERS.dead_ms, minMs: 1, maxMs: 3_600_000 }],
];

export const HEARTBEAT_LIMITS = Object.fromEntries(HEARTBEAT_TIMERS) as Record<
  HeartbeatTimer,
  HeartbeatTimerLimits
>;
