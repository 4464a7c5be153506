/**
 * From a system's monitoring view (read from the graph) to the monitors the
 * CMA wants there: one per listening process whose best rule applies, each
 * with the exact agent command the probe receives.
 */
import { createHash } from "node:crypto";
import type { MonitoringAgentsData } from "../../probe/discovery/monitoringagents/types.js";
import type { Proto } from "../../probe/discovery/tcpdiscovery/parse-socket-table.js";
import type { ProcessGroup, TcpDiscoveryData } from "../../probe/discovery/tcpdiscovery/types.js";
import type { AgentSpec } from "../../probe/monitor/run-agent.js";
import type { MonitorFacts, MonitoringView, PropValue } from "../graph/store.js";
import {
  type ExplainOptions,
  explainHost,
  type HostDocuments,
  type RuleMatch,
  type ServiceExplanation,
} from "./match.js";
import type { Rule } from "./types.js";

export const DEFAULT_INTERVAL_SECONDS = 30;
export const DEFAULT_TIMEOUT_SECONDS = 20;

/** What the probe is told to run for one monitor (the MONITOR add body's resource). */
export interface MonitorResource {
  id: string;
  agent: AgentSpec;
  interval_ms: number;
  timeout_ms: number;
}

export interface MonitorPlan {
  /** The monitor set to store: applied rules and nomon decisions. */
  monitors: MonitorFacts[];
  /** Each monitor's resource by monitor key; nomon monitors have none. */
  resources: Map<string, MonitorResource>;
  explanations: ServiceExplanation[];
}

const strings = (value: PropValue | undefined): string[] =>
  Array.isArray(value) ? (value as string[]) : [];

/** The view in the shape the matcher reads, listening processes keyed by Process key. */
export function viewDocuments(view: MonitoringView): HostDocuments {
  const tcpdiscovery: TcpDiscoveryData = {};
  for (const process of view.processes) {
    // The stand-in for sockets of no visible process is not a service one can monitor.
    if (process.exe === null && process.argv.length === 0) continue;
    const group: ProcessGroup = {
      exe: process.exe,
      exe_deleted: false,
      cmdline: process.argv,
      pids: [],
      uid: process.uid,
      gid: null,
      user: null,
      group: null,
      cwd: null,
      listen: process.listen.map((e) => ({ proto: e.proto as Proto, addr: e.ip, port: e.port })),
      clients: [],
    };
    tcpdiscovery[process.key] = group;
  }
  const packages = Object.fromEntries(
    view.packages.map((name) => [
      name,
      { name, version: "", arch: null, source: null, source_version: null, manager: "" },
    ]),
  );
  return {
    tcpdiscovery,
    packages: { managers: [], packages } as unknown as HostDocuments["packages"],
    monitoringagents: agentsOf(view.system),
  };
}

/** The host's monitoring agents from its System properties; null before any monitoringagents document. */
function agentsOf(system: MonitoringView["system"]): MonitoringAgentsData | null {
  if (system.agents_ocf === undefined) return null;
  const ocf: Record<string, string[]> = {};
  for (const entry of strings(system.agents_ocf)) {
    const slash = entry.indexOf("/");
    const provider = entry.slice(0, slash);
    ocf[provider] = [...(ocf[provider] ?? []), entry.slice(slash + 1)];
  }
  const systemd: MonitoringAgentsData["systemd"] = {};
  for (const unit of strings(system.systemd_services))
    systemd[unit] = { type: "service", state: null };
  return {
    ocf,
    lsb: strings(system.agents_lsb),
    nagios: strings(system.agents_nagios),
    systemd,
    systemd_running: system.systemd_running === true,
  } as MonitoringAgentsData;
}

/** Nagios options from rule parameters: "-H value", "--name=value", a flag alone for `true`. */
function nagiosArgs(rule: Rule | undefined, params: Record<string, string>): string[] {
  const args: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const declared = rule?.spec.agent.params?.[name];
    if (typeof declared === "boolean") {
      if (declared) args.push(name.length === 1 ? `-${name}` : `--${name}`);
      continue;
    }
    if (name.length === 1) args.push(`-${name}`, value);
    else args.push(`--${name}=${value}`);
  }
  return args;
}

export function agentSpecOf(match: RuleMatch, rule: Rule | undefined): AgentSpec | null {
  const { agent, params } = match;
  if (agent.type === undefined) return null;
  switch (agent.class) {
    case "ocf":
      return { class: "ocf", provider: agent.provider ?? "heartbeat", type: agent.type, params };
    case "lsb":
      return { class: "lsb", name: agent.type };
    case "nagios":
      return { class: "nagios", plugin: agent.type, args: nagiosArgs(rule, params) };
    case "systemd":
      return { class: "systemd", unit: agent.type };
    case "nomon":
      return null;
  }
}

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Monitor identity: the process it watches and the rule that made it. */
export function monitorKey(processKey: string, rule: string): string {
  return `monitor:${short(processKey)}:${rule}`;
}

/** The monitors the rules give this system. */
export function planMonitors(
  rules: readonly Rule[],
  system: string,
  view: MonitoringView,
  options: ExplainOptions = {},
): MonitorPlan {
  const byName = new Map(rules.map((rule) => [rule.spec.name, rule]));
  const explanations = explainHost(rules, viewDocuments(view), options);
  const monitors: MonitorFacts[] = [];
  const resources = new Map<string, MonitorResource>();
  for (const service of explanations) {
    const match = service.applied;
    if (!match) continue;
    const rule = byName.get(match.rule);
    const key = monitorKey(service.key, match.rule);
    const agent = agentSpecOf(match, rule);
    const interval = rule?.spec.agent.interval_seconds ?? DEFAULT_INTERVAL_SECONDS;
    const timeout = rule?.spec.agent.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS;
    const resource: MonitorResource | null = agent
      ? {
          id: `${match.rule}@${key.split(":")[1]}`,
          agent,
          interval_ms: interval * 1000,
          timeout_ms: timeout * 1000,
        }
      : null;
    if (resource) resources.set(key, resource);
    monitors.push({
      key,
      process: service.key,
      props: {
        system,
        rule: match.rule,
        rule_source: match.source,
        class: match.agent.class,
        provider: match.agent.provider ?? null,
        type: match.agent.type ?? null,
        params: Object.entries(match.params).map(([name, value]) => `${name}=${value}`),
        resource: resource?.id ?? null,
        agent: agent ? JSON.stringify(agent) : null,
        interval_ms: resource?.interval_ms ?? null,
        timeout_ms: resource?.timeout_ms ?? null,
      },
    });
  }
  return { monitors, resources, explanations };
}
