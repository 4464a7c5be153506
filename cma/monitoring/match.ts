/**
 * Pure matching of rules against one host's discovery documents: for each
 * listening service, the rule applied (with its agent and resolved
 * parameters), the partial matches, or why no rule applies.
 */
import type { MonitoringAgentsData } from "../../probe/discovery/monitoringagents/types.js";
import type { PackagesData } from "../../probe/discovery/packages/types.js";
import type {
  Endpoint,
  ProcessGroup,
  TcpDiscoveryData,
} from "../../probe/discovery/tcpdiscovery/types.js";
import { UNOWNED_KEY } from "../../probe/discovery/tcpdiscovery/types.js";
import { boundedSubject } from "./safe-regex.js";
import { resolveTemplate } from "./template.js";
import type { AgentClass, Rule } from "./types.js";

export interface HostDocuments {
  tcpdiscovery: TcpDiscoveryData;
  packages?: PackagesData | null;
  monitoringagents?: MonitoringAgentsData | null;
}

export interface ResolvedAgent {
  class: AgentClass;
  provider?: string;
  type?: string;
}

export interface RuleMatch {
  rule: string;
  source: string;
  agent: ResolvedAgent;
  params: Record<string, string>;
  /** Placeholders that could not be resolved, by parameter. */
  missing: Record<string, string[]>;
  agentPresent: boolean;
  /** How many criteria the rule's match has: the more, the more specific. */
  specificity: number;
}

export type Verdict = "applied" | "nomon" | "partial" | "agent-missing" | "no-rule";

export interface ServiceExplanation {
  key: string;
  exe: string | null;
  cmdline: string[];
  uid: number | null;
  listen: Endpoint[];
  verdict: Verdict;
  /** The rule applied (verdict applied or nomon). */
  applied: RuleMatch | null;
  /** Rules that matched but lack parameters, listed for a human; never applied. */
  partial: RuleMatch[];
  /** Rules that matched fully but whose agent is not installed on the host. */
  agentMissing: RuleMatch[];
  reason: string;
}

export interface ExplainOptions {
  /** Flags the operator enabled (e.g. "generic-tcp"); rules requiring another flag are skipped. */
  flags?: ReadonlySet<string>;
}

function isGroup(value: TcpDiscoveryData[string]): value is ProcessGroup {
  return "cmdline" in value;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A wildcard listener is checked on loopback of its family. */
function checkAddress(addr: string): string {
  if (addr === "0.0.0.0") return "127.0.0.1";
  if (addr === "::") return "::1";
  return addr;
}

function installedPackages(packages: PackagesData | null | undefined): Set<string> {
  return new Set(Object.values(packages?.packages ?? {}).map((p) => p.name));
}

export function agentPresent(
  agent: ResolvedAgent,
  agents: MonitoringAgentsData | null | undefined,
): boolean {
  if (agent.class === "nomon") return true;
  if (!agents || agent.type === undefined) return false;
  switch (agent.class) {
    case "ocf":
      return agents.ocf[agent.provider ?? ""]?.includes(agent.type) ?? false;
    case "lsb":
      return agents.lsb.includes(agent.type);
    case "nagios":
      return agents.nagios.includes(agent.type);
    case "systemd":
      return (
        agents.systemd[agent.type] !== undefined ||
        agents.systemd[`${agent.type}.service`] !== undefined
      );
  }
}

/** The rule's match against one process group, or null when it does not match. */
export function matchRule(
  rule: Rule,
  group: ProcessGroup,
  installed: ReadonlySet<string>,
  agents: MonitoringAgentsData | null | undefined,
): RuleMatch | null {
  const exe = group.exe ?? "";
  const exeName = group.exe ? basename(group.exe) : basename(group.cmdline[0] ?? "");
  if (rule.exe && !rule.exe.test(boundedSubject(exe))) return null;
  if (rule.basename && !rule.basename.test(boundedSubject(exeName))) return null;
  let groups: (string | undefined)[] = [];
  if (rule.argv) {
    const found = rule.argv.exec(boundedSubject(group.cmdline.join(" ")));
    if (!found) return null;
    groups = [...found];
  }
  if (rule.uids && (group.uid === null || !rule.uids.includes(group.uid))) return null;
  let endpoint = group.listen.find((e) => e.proto === "tcp") ?? group.listen[0];
  if (rule.ports) {
    endpoint = group.listen.find((e) => rule.ports?.includes(e.port));
    if (!endpoint) return null;
  }
  if (rule.packages && !rule.packages.some((p) => installed.has(p))) return null;

  const { spec } = rule;
  const agent: ResolvedAgent = { class: spec.agent.class };
  if (spec.agent.provider !== undefined) agent.provider = spec.agent.provider;
  if (spec.agent.type !== undefined) agent.type = spec.agent.type;
  const params: Record<string, string> = {};
  const missing: Record<string, string[]> = {};
  const ctx = {
    ip: endpoint ? checkAddress(endpoint.addr) : null,
    port: endpoint ? endpoint.port : null,
    exe: group.exe,
    cmdline: group.cmdline,
    groups,
  };
  for (const [name, template] of Object.entries(spec.agent.params ?? {})) {
    const resolved = resolveTemplate(template, ctx);
    if ("value" in resolved) params[name] = resolved.value;
    else missing[name] = resolved.missing;
  }
  const specificity = Object.keys(spec.match).filter((k) => k !== "any").length;
  return {
    rule: spec.name,
    source: rule.source,
    agent,
    params,
    missing,
    agentPresent: agentPresent(agent, agents),
    specificity,
  };
}

function describeAgent(agent: ResolvedAgent): string {
  return [agent.class, agent.provider, agent.type].filter((p) => p !== undefined).join(":");
}

const complete = (m: RuleMatch) => Object.keys(m.missing).length === 0;

/** For each listening process group of the host, which rule applies and why. */
export function explainHost(
  rules: readonly Rule[],
  docs: HostDocuments,
  options: ExplainOptions = {},
): ServiceExplanation[] {
  const flags = options.flags ?? new Set<string>();
  const active = rules.filter(
    (r) => r.spec.requires_flag === undefined || flags.has(r.spec.requires_flag),
  );
  const installed = installedPackages(docs.packages);
  const out: ServiceExplanation[] = [];
  for (const [key, value] of Object.entries(docs.tcpdiscovery).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (key === UNOWNED_KEY || !isGroup(value) || value.listen.length === 0) continue;
    const matches = active
      .map((rule) => matchRule(rule, value, installed, docs.monitoringagents))
      .filter((m): m is RuleMatch => m !== null)
      // Most specific first; a generic rule (match: any) only when nothing else fits.
      .sort((a, b) => b.specificity - a.specificity);
    const usable = matches.filter((m) => complete(m) && m.agentPresent);
    const partial = matches.filter((m) => !complete(m));
    const agentMissing = matches.filter((m) => complete(m) && !m.agentPresent);
    const applied = usable[0] ?? null;
    let verdict: Verdict;
    let reason: string;
    if (applied) {
      verdict = applied.agent.class === "nomon" ? "nomon" : "applied";
      reason =
        verdict === "nomon"
          ? `rule ${applied.rule} says not to monitor it`
          : `rule ${applied.rule} applies ${describeAgent(applied.agent)}`;
    } else if (partial.length > 0) {
      verdict = "partial";
      reason = partial
        .map((m) => `rule ${m.rule} lacks ${Object.keys(m.missing).join(", ")}`)
        .join("; ");
    } else if (agentMissing.length > 0) {
      verdict = "agent-missing";
      reason = docs.monitoringagents
        ? agentMissing
            .map((m) => `rule ${m.rule} matched but ${describeAgent(m.agent)} is not installed`)
            .join("; ")
        : `rule ${agentMissing[0]?.rule} matched but the host has no monitoringagents document`;
    } else {
      verdict = "no-rule";
      reason = "no rule matched";
    }
    out.push({
      key,
      exe: value.exe,
      cmdline: value.cmdline,
      uid: value.uid,
      listen: value.listen,
      verdict,
      applied,
      partial,
      agentMissing,
      reason,
    });
  }
  return out;
}
