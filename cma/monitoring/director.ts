/**
 * The CMA's side of monitoring: after a host's services, packages or agents
 * change, the rules decide its monitors; the monitor set is stored, then the
 * probe is told what to add and remove. The probe's state changes come back
 * as MONITOR_RESULT and are stored with their history, and each becomes an
 * event. The graph, not memory, is the record: a restarted probe is sent its
 * monitors again from there.
 */
import type { Logger } from "../../lib/log.js";
import type { MonitorBody } from "../../probe/daemon/monitor-commands.js";
import { MessageRefusedError } from "../../protocol/transport.js";
import type { CmaEventSeverity } from "../events/event.js";
import type { GraphStore, MonitorRecord, MonitorStateFacts } from "../graph/store.js";
import type { EventSink } from "../server/ports.js";
import type { ExplainOptions } from "./match.js";
import { type MonitorResource, planMonitors } from "./plan.js";
import type { Rule } from "./types.js";

/** Sends one MONITOR command to the system's probe; rejects when refused or undelivered. */
export type SendMonitor = (system: string, body: MonitorBody) => Promise<void>;

export interface MonitorDirectorOptions {
  store: GraphStore;
  rules: readonly Rule[];
  explain?: ExplainOptions;
  send: SendMonitor;
  events: EventSink;
  log: Logger;
}

export interface MonitorCounters {
  plans: number;
  added: number;
  removed: number;
  refused: number;
  results: number;
  results_ignored: number;
}

/** A resource id the planner made: "<rule>@<16 hex>", the monitor key "monitor:<hex>:<rule>". */
const RESOURCE_ID = /^([a-z0-9][a-z0-9_.-]{0,99})@([0-9a-f]{16})$/;
const MAX_REASON = 1000;
const MAX_DETAIL = 4000;
const STATES = new Set(["ok", "warning", "critical", "unknown", "stopped"]);

const iso = () => new Date().toISOString();

function severityOfState(state: string): CmaEventSeverity {
  if (state === "ok") return "info";
  if (state === "warning" || state === "unknown") return "warning";
  return "critical";
}

function resourceOf(monitor: MonitorRecord): MonitorResource | null {
  const { resource, agent, interval_ms, timeout_ms } = monitor.props;
  if (typeof resource !== "string" || typeof agent !== "string") return null;
  return {
    id: resource,
    agent: JSON.parse(agent),
    interval_ms: Number(interval_ms),
    timeout_ms: Number(timeout_ms),
  };
}

const same = (a: MonitorResource | null, b: MonitorResource | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/** What a probe's result says, kept small: the class's own fields beside the state. */
function stateFacts(result: Record<string, unknown>): MonitorStateFacts | null {
  if (typeof result.state !== "string" || !STATES.has(result.state)) return null;
  const { run, reason, state, ...own } = result;
  const runInfo = (run ?? {}) as Record<string, unknown>;
  const detail = JSON.stringify({
    ...own,
    ...(run
      ? {
          duration_ms: runInfo.durationMs,
          timed_out: runInfo.timedOut,
          slow: runInfo.slow,
          exit_code: runInfo.exitCode,
        }
      : {}),
  });
  return {
    state,
    reason: String(reason ?? "").slice(0, MAX_REASON),
    detail: detail.length > MAX_DETAIL ? JSON.stringify({ truncated: true }) : detail,
  };
}

export class MonitorDirector {
  readonly counters: MonitorCounters = {
    plans: 0,
    added: 0,
    removed: 0,
    refused: 0,
    results: 0,
    results_ignored: 0,
  };
  /** One plan at a time per system, so the probe gets commands in the order they were decided. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly options: MonitorDirectorOptions) {}

  private serialize(system: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(system) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => undefined);
    this.chains.set(system, tail);
    void tail.then(() => {
      if (this.chains.get(system) === tail) this.chains.delete(system);
    });
    return next;
  }

  /** Decides the system's monitors from what the graph knows of it, stores them, tells the probe. */
  plan(system: string): Promise<void> {
    return this.serialize(system, async () => {
      const at = iso();
      const { before, after } = await this.options.store.write(async (tx) => {
        const view = await tx.monitoringView(system);
        const plan = planMonitors(this.options.rules, system, view, this.options.explain);
        await tx.replaceMonitors(system, plan.monitors, at);
        const before = new Map(view.monitors.map((m) => [m.key, resourceOf(m)]));
        return { before, after: plan.resources };
      });
      this.counters.plans++;
      for (const [key, resource] of before) {
        if (resource && after.get(key)?.id !== resource.id)
          this.command(system, key, { action: "remove", id: resource.id });
      }
      for (const [key, resource] of after) {
        if (!same(before.get(key) ?? null, resource))
          this.command(system, key, { action: "add", resource });
      }
    });
  }

  /** Sends every stored monitor of the system again (its probe restarted and knows none). */
  resend(system: string): Promise<void> {
    return this.serialize(system, async () => {
      const view = await this.options.store.write((tx) => tx.monitoringView(system));
      for (const monitor of view.monitors) {
        const resource = resourceOf(monitor);
        if (resource) this.command(system, monitor.key, { action: "add", resource });
      }
    });
  }

  /** A MONITOR_RESULT from the system's probe. */
  async result(system: string, hostname: string, body: unknown): Promise<void> {
    const result = (body ?? {}) as Record<string, unknown>;
    if (result.kind === "change") {
      await this.record(system, hostname, result.id, result.current);
    } else if (
      result.kind === "status" &&
      result.resources &&
      typeof result.resources === "object"
    ) {
      for (const [id, status] of Object.entries(result.resources as Record<string, unknown>)) {
        const last = (status as { last?: unknown } | null)?.last;
        if (last) await this.record(system, hostname, id, last);
      }
    } else if (result.kind === "operation") {
      this.options.log.info(
        { system, id: String(result.id).slice(0, 200), action: result.action },
        "monitor operation done",
      );
    } else {
      this.counters.results_ignored++;
      throw new MessageRefusedError("MONITOR_RESULT: kind must be change, status or operation");
    }
  }

  private async record(system: string, hostname: string, id: unknown, current: unknown) {
    const found = typeof id === "string" ? RESOURCE_ID.exec(id) : null;
    const facts =
      current && typeof current === "object"
        ? stateFacts(current as Record<string, unknown>)
        : null;
    if (!found || !facts) {
      this.counters.results_ignored++;
      throw new MessageRefusedError("MONITOR_RESULT: not a result of a resource the CMA set up");
    }
    const key = `monitor:${found[2]}:${found[1]}`;
    const at = iso();
    const previous = await this.options.store.write(async (tx) => {
      const view = await tx.monitoringView(system);
      const monitor = view.monitors.find((m) => m.key === key);
      if (!monitor) return undefined;
      await tx.recordMonitorState(key, facts, at);
      return monitor;
    });
    if (!previous) {
      // A resource this system's probe should no longer run: tell it so.
      this.counters.results_ignored++;
      this.command(system, key, { action: "remove", id: found[0] });
      return;
    }
    this.counters.results++;
    if (previous.props.state === facts.state) return;
    this.options.events.emit({
      type: "service_state",
      severity: severityOfState(facts.state),
      system,
      hostname,
      reason: `${previous.props.rule}: ${previous.props.state ?? "unknown"} → ${facts.state}: ${facts.reason}`,
      details: {
        monitor: key,
        rule: previous.props.rule,
        process: previous.process,
        resource: found[0],
        state: facts.state,
        previous: previous.props.state ?? null,
      },
    });
  }

  private command(system: string, key: string, body: MonitorBody): void {
    const counter = body.action === "remove" ? "removed" : "added";
    this.counters[counter]++;
    this.options.send(system, body).catch(async (error: unknown) => {
      if (!(error instanceof MessageRefusedError) || body.action !== "add") {
        this.options.log.warn(
          { system, monitor: key, action: body.action, err: String(error) },
          "MONITOR not delivered",
        );
        return;
      }
      this.counters.refused++;
      const facts: MonitorStateFacts = {
        state: "refused",
        reason: error.message.slice(0, MAX_REASON),
        detail: "{}",
      };
      await this.options.store
        .write((tx) => tx.recordMonitorState(key, facts, iso()))
        .catch((failure: unknown) =>
          this.options.log.error({ err: String(failure) }, "monitor state not stored"),
        );
      this.options.log.warn(
        { system, monitor: key, reason: error.message },
        "probe refused a monitor",
      );
    });
  }
}
