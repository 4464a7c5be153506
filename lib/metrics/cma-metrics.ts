/**
 * The CMA's metrics: what the daemon reports through CmaMetricsPort (each call
 * O(1)), and the probes and rings it reads from the daemon only when scraped.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type {
  CmaEventType,
  CmaMetricsPort,
  CmaView,
  DeathReason,
  RegistrationOutcome,
} from "../../cma/server/ports.js";
import { METRIC_PREFIX } from "./registry.js";

const REGISTRATION_OUTCOMES: readonly RegistrationOutcome[] = [
  "new",
  "reregistered",
  "repeated",
  "refused",
];
const DEATH_REASONS: readonly DeathReason[] = ["confirmed", "shutdown", "revoked"];
const PROBE_STATES = ["up", "down", "shutdown"] as const;

/** Late reports come after warn_ms (3 s by default) and before dead_ms (10 s). */
const LATENESS_BUCKETS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 60];
const INGEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class CmaMetrics implements CmaMetricsPort {
  private view: CmaView | null = null;
  private readonly registrations: Counter<"outcome">;
  private readonly deaths: Counter<"reason">;
  private readonly events: Counter<"type">;
  private readonly lateness: Histogram;
  private readonly ingestDuration: Histogram<"type">;
  private readonly ingestDocuments: Counter<"type" | "outcome">;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
    this.registrations = new Counter({
      name: name("registrations_total"),
      help: "STARTUP messages by outcome: new probe, re-registered (restarted or returning), repeated, refused",
      labelNames: ["outcome"],
      registers,
    });
    for (const outcome of REGISTRATION_OUTCOMES) this.registrations.inc({ outcome }, 0);
    this.deaths = new Counter({
      name: name("deaths_total"),
      help: "Probes taken off the rings: death confirmed by ring neighbours or a direct check, shutdown, key revoked",
      labelNames: ["reason"],
      registers,
    });
    for (const reason of DEATH_REASONS) this.deaths.inc({ reason }, 0);
    this.events = new Counter({
      name: name("events_total"),
      help: "Events the CMA raised, by type (host_down, switch_down, host_late, ...)",
      labelNames: ["type"],
      registers,
    });
    this.lateness = new Histogram({
      name: name("heartbeat_lateness_seconds"),
      help: "How long a probe had not heard a ring partner when it reported it late (HB_LATE)",
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.ingestDuration = new Histogram({
      name: name("ingest_duration_seconds"),
      help: "Time to validate and store one discovery document (stored or stale), by discovery type",
      labelNames: ["type"],
      buckets: INGEST_BUCKETS,
      registers,
    });
    this.ingestDocuments = new Counter({
      name: name("ingest_documents_total"),
      help: "Discovery documents received from probes, by discovery type and outcome (stored, stale, rejected)",
      labelNames: ["type", "outcome"],
      registers,
    });
    const probes = new Gauge({
      name: name("probes"),
      help: "Registered probes by state (up, down, shutdown)",
      labelNames: ["state"],
      registers,
      collect: () => {
        const counts = new Map<string, number>(PROBE_STATES.map((state) => [state, 0]));
        for (const state of this.view?.probeStates() ?? []) {
          counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        for (const [state, count] of counts) probes.set({ state }, count);
      },
    });
    const ringMembers = new Gauge({
      name: name("ring_members"),
      help: "Members of each heartbeat ring (global, switch:<key>)",
      labelNames: ["ring"],
      registers,
      collect: () => {
        ringMembers.reset();
        for (const [ring, size] of Object.entries(this.view?.ringSizes() ?? {})) {
          ringMembers.set({ ring }, size);
        }
      },
    });
    const rings = new Gauge({
      name: name("rings"),
      help: "Heartbeat rings with at least one member",
      registers,
      collect: () => {
        rings.set(Object.keys(this.view?.ringSizes() ?? {}).length);
      },
    });
  }

  watch(view: CmaView): void {
    this.view = view;
  }

  registration(outcome: RegistrationOutcome): void {
    this.registrations.inc({ outcome });
  }

  death(reason: DeathReason): void {
    this.deaths.inc({ reason });
  }

  event(type: CmaEventType): void {
    this.events.inc({ type });
  }

  lateHeartbeat(silentMs: number): void {
    this.lateness.observe(silentMs / 1000);
  }

  ingested(type: string, outcome: "stored" | "stale" | "rejected", seconds: number): void {
    this.ingestDocuments.inc({ type, outcome });
    if (outcome !== "rejected") this.ingestDuration.observe({ type }, seconds);
  }
}
