/** Adapter-neutral helpers of the monitor operations. */
import { type ListeningProcess, MONITOR_HISTORY_LIMIT, type PropValue } from "./store.js";

type Endpoint = ListeningProcess["listen"][number];
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Listen sets in one order on every adapter: proto, ip (by code point), port. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return byCodePoint(a.proto, b.proto) || byCodePoint(a.ip, b.ip) || a.port - b.port;
}

/** A Monitor's `history` property: one JSON text per state transition, newest last. */

export interface MonitorTransition {
  at: string;
  from: string | null;
  to: string;
  reason: string;
}

/** The history with one transition appended, the oldest dropped beyond the limit. */
export function appendHistory(history: PropValue | undefined, entry: MonitorTransition): string[] {
  const list = Array.isArray(history) ? (history as string[]) : [];
  return [...list, JSON.stringify(entry)].slice(-MONITOR_HISTORY_LIMIT);
}

/** Parses a stored history; entries that are not transitions are skipped. */
export function readHistory(history: PropValue | undefined): MonitorTransition[] {
  if (!Array.isArray(history)) return [];
  return (history as string[]).flatMap((text) => {
    try {
      const entry = JSON.parse(text) as MonitorTransition;
      return typeof entry.to === "string" && typeof entry.at === "string" ? [entry] : [];
    } catch {
      return [];
    }
  });
}
