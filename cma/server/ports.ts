/**
 * What the CMA daemon needs from the ring logic and the event sinks, as small
 * interfaces: cma/rings/ and cma/events/ implement them; tests may too.
 */

export interface RingCommand {
  /** Member id (System key) the command goes to. */
  to: string;
  type: "SEND_EXPECT_HB" | "STOP_SEND_EXPECT_HB";
  /** partners: member ids, present for SEND_EXPECT_HB. */
  body: { ring: string; version: number; partners?: string[] };
}

/** The rings, persisted: every change is stored before its commands are returned. */
export interface Rings {
  join(member: string, switchKey: string | null): Promise<RingCommand[]>;
  leave(member: string): Promise<RingCommand[]>;
  moveSwitch(member: string, switchKey: string | null): Promise<RingCommand[]>;
  /** Commands restating the member's current partner sets with fresh versions. */
  restate(member: string): Promise<RingCommand[]>;
  isMember(member: string): boolean;
  /** Per ring the member is on, its partners. */
  partnersOf(member: string): Record<string, string[]>;
  /** Members of the ring of one switch. */
  membersOfSwitch(switchKey: string): string[];
  /** ring name -> members in ring order. */
  view(): Record<string, string[]>;
  /** ring name -> how many members, for rings with any: O(rings), not O(members). */
  sizes(): Record<string, number>;
}

export type CmaEventType =
  | "host_up"
  | "host_down"
  | "host_late"
  | "host_back"
  | "host_shutdown"
  | "switch_down"
  | "switch_up"
  | "service_state";

export interface CmaEventInput {
  type: CmaEventType;
  /** Overrides the type's usual severity (a service_state's depends on the state). */
  severity?: "critical" | "warning" | "info";
  system: string;
  hostname?: string;
  switch?: string;
  reason: string;
  details?: Record<string, unknown>;
}

export interface EventSink {
  emit(event: CmaEventInput): void;
  close(): Promise<void>;
}

/** How a STARTUP ended: a first registration, a restarted or returning probe, a repeat, or refused. */
export type RegistrationOutcome = "new" | "reregistered" | "repeated" | "refused";

/** Why the CMA took a probe off the rings. */
export type DeathReason = "confirmed" | "shutdown" | "revoked";

/** What the CMA's metrics read when they are scraped (never per heartbeat). */
export interface CmaView {
  /** The state of every registered probe. */
  probeStates(): Iterable<string>;
  /** ring name -> member count, as Rings.sizes(). */
  ringSizes(): Record<string, number>;
}

/** What the daemon reports to its metrics: each call is O(1). lib/metrics/ implements it. */
export interface CmaMetricsPort {
  /** Called once by the daemon, so the scrape can read its probes and rings. */
  watch(view: CmaView): void;
  registration(outcome: RegistrationOutcome): void;
  death(reason: DeathReason): void;
  event(type: CmaEventType): void;
  /** A late-heartbeat report: how long the reporter had not heard the subject. */
  lateHeartbeat(silentMs: number): void;
  /** One discovery document handled: stored, stale (nothing written) or rejected, and how long it took. */
  ingested(discovertype: string, outcome: "stored" | "stale" | "rejected", seconds: number): void;
}
