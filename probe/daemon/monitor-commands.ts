/**
 * MONITOR commands from the CMA, carried out by the probe's resource manager,
 * and what the probe says back in MONITOR_RESULT: a state change of one
 * resource, or (when asked) the full status of every resource.
 */

import { MessageRefusedError } from "../../protocol/transport.js";
import type { AgentResult } from "../monitor/agent-result.js";
import type { ResourceConfig, ResourceManager } from "../monitor/resource-manager.js";
import type { AgentSpec } from "../monitor/run-agent.js";

export type MonitorAction = "add" | "update" | "remove" | "start" | "stop" | "restart" | "status";
const ACTIONS: readonly MonitorAction[] = [
  "add",
  "update",
  "remove",
  "start",
  "stop",
  "restart",
  "status",
];
const ID = /^[A-Za-z0-9_.:@-]{1,200}$/;
const LIMITS = { intervalMs: [1000, 86_400_000], timeoutMs: [100, 3_600_000] } as const;

export interface MonitorBody {
  action: MonitorAction;
  /** The resource, for add and update. */
  resource?: {
    id: string;
    agent: AgentSpec;
    interval_ms: number;
    timeout_ms: number;
    warn_ms?: number;
  };
  /** The resource's id, for remove, start, stop and restart. */
  id?: string;
}

export type MonitorResultBody =
  | { kind: "change"; id: string; previous: AgentResult | null; current: AgentResult }
  | { kind: "operation"; id: string; action: "start" | "stop" | "restart"; result: AgentResult }
  | { kind: "status"; resources: Record<string, { last: AgentResult | null; busy: boolean }> };

function refuse(message: string): never {
  throw new MessageRefusedError(`MONITOR: ${message}`);
}

function whole(name: string, value: unknown, [min, max]: readonly [number, number]): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    refuse(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

function resourceConfig(resource: MonitorBody["resource"]): ResourceConfig {
  if (!resource || typeof resource !== "object") refuse("add and update need a resource");
  if (typeof resource.id !== "string" || !ID.test(resource.id)) refuse(`bad resource id`);
  if (!resource.agent || typeof resource.agent !== "object") refuse("the resource needs an agent");
  return {
    id: resource.id,
    agent: resource.agent,
    intervalMs: whole("interval_ms", resource.interval_ms, LIMITS.intervalMs),
    timeoutMs: whole("timeout_ms", resource.timeout_ms, LIMITS.timeoutMs),
    ...(resource.warn_ms === undefined
      ? {}
      : { warnMs: whole("warn_ms", resource.warn_ms, LIMITS.timeoutMs) }),
  };
}

export class MonitorCommands {
  constructor(
    private readonly manager: ResourceManager,
    private readonly report: (body: MonitorResultBody) => void,
  ) {}

  /** The resource manager's change listener: every transition goes to the CMA. */
  static changeReporter(report: (body: MonitorResultBody) => void) {
    return (id: string, previous: AgentResult | null, current: AgentResult) =>
      report({ kind: "change", id, previous, current });
  }

  async handle(body: unknown): Promise<void> {
    const command = (body ?? {}) as MonitorBody;
    if (!ACTIONS.includes(command.action))
      refuse(`unknown action ${String(command.action).slice(0, 40)}`);
    if (command.action === "status") {
      const resources: Extract<MonitorResultBody, { kind: "status" }>["resources"] = {};
      for (const [id, status] of Object.entries(this.manager.fullStatus()))
        resources[id] = { last: status.last, busy: status.busy };
      this.report({ kind: "status", resources });
      return;
    }
    if (command.action === "add" || command.action === "update") {
      const config = resourceConfig(command.resource);
      try {
        if (command.action === "update" || this.manager.has(config.id)) this.manager.update(config);
        else this.manager.add(config);
      } catch (error) {
        refuse((error as Error).message);
      }
      return;
    }
    const id = command.id;
    if (typeof id !== "string" || !this.manager.has(id))
      refuse(`no resource ${String(id).slice(0, 200)}`);
    if (command.action === "remove") {
      await this.manager.remove(id);
      return;
    }
    const result = await this.manager[command.action](id);
    this.report({ kind: "operation", id, action: command.action, result });
  }
}
