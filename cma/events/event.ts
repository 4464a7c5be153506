/**
 * The published event record: what every sink receives, stamped once so that
 * the log line, the webhook body and the script's stdin carry the same id.
 */
import { randomUUID } from "node:crypto";
import type { CmaEventInput, CmaEventType } from "../server/ports.js";

export type CmaEventSeverity = "critical" | "warning" | "info";

export interface CmaEvent {
  id: string;
  time: string;
  type: CmaEventType;
  severity: CmaEventSeverity;
  system: string;
  hostname?: string;
  switch?: string;
  reason: string;
  details?: Record<string, unknown>;
}

export function severityOf(type: CmaEventType): CmaEventSeverity {
  switch (type) {
    case "host_down":
    case "switch_down":
      return "critical";
    case "host_late":
      return "warning";
    default:
      return "info";
  }
}

export function toCmaEvent(input: CmaEventInput, now: Date = new Date()): CmaEvent {
  const event: CmaEvent = {
    id: randomUUID(),
    time: now.toISOString(),
    type: input.type,
    severity: input.severity ?? severityOf(input.type),
    system: input.system,
    reason: input.reason,
  };
  // Absent fields stay absent rather than `undefined`, so records compare and print cleanly.
  if (input.hostname !== undefined) event.hostname = input.hostname;
  if (input.switch !== undefined) event.switch = input.switch;
  if (input.details !== undefined) event.details = input.details;
  return event;
}
