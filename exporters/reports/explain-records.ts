/**
 * The auto-monitoring rules applied to export records instead of discovery
 * documents: a host's service, package and host records become the documents
 * `explainHost` reads, so a report can say which rule would monitor an
 * unmonitored service, or why none applies.
 */
import {
  explainHost,
  type HostDocuments,
  type ServiceExplanation,
} from "../../cma/monitoring/match.js";
import type { Rule } from "../../cma/monitoring/types.js";
import type { MonitoringAgentsData } from "../../probe/discovery/monitoringagents/types.js";
import type { PackagesData } from "../../probe/discovery/packages/types.js";
import type { Endpoint, ProcessGroup } from "../../probe/discovery/tcpdiscovery/types.js";
import type { ExportRecord, FieldObject } from "../records.js";

const ENDPOINT = /^(tcp|udp)\/(?:\[([^\]]+)\]|([^:]+)):(\d+)$/;

/** "tcp/10.0.0.1:80", "tcp/[::]:443" → an endpoint; undefined for anything else. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const match = ENDPOINT.exec(text);
  if (!match) return undefined;
  return {
    proto: match[1] as Endpoint["proto"],
    addr: (match[2] ?? match[3]) as string,
    port: Number(match[4]),
  };
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function processGroup(service: FieldObject): ProcessGroup {
  return {
    exe: typeof service.exe === "string" ? service.exe : null,
    exe_deleted: false,
    cmdline: strings(service.argv),
    pids: [],
    uid: typeof service.uid === "number" ? service.uid : null,
    gid: null,
    user: typeof service.user === "string" ? service.user : null,
    group: null,
    cwd: null,
    listen: strings(service.listen)
      .map(parseEndpoint)
      .filter((e): e is Endpoint => e !== undefined),
    clients: [],
  };
}

function agentsOf(host: FieldObject | undefined): MonitoringAgentsData | null {
  const agents = host?.monitoring_agents;
  if (
    agents === null ||
    agents === undefined ||
    typeof agents !== "object" ||
    Array.isArray(agents)
  )
    return null;
  const ocf: Record<string, string[]> = {};
  for (const entry of strings(agents.ocf)) {
    const slash = entry.indexOf("/");
    if (slash <= 0) continue;
    const provider = entry.slice(0, slash);
    ocf[provider] = [...(ocf[provider] ?? []), entry.slice(slash + 1)];
  }
  return {
    ocf,
    lsb: strings(agents.lsb),
    nagios: strings(agents.nagios),
    systemd: {},
    systemd_running: agents.systemd_running === true,
  } as MonitoringAgentsData;
}

function packagesOf(packages: readonly ExportRecord[]): PackagesData {
  const out: Record<string, unknown> = {};
  for (const record of packages) {
    const name = record.fields.name;
    if (typeof name === "string") out[name] = { name };
  }
  return { managers: [], packages: out } as unknown as PackagesData;
}

/** Each service record of one host, explained by the rules, keyed by the service's record id. */
export function explainServices(
  rules: readonly Rule[],
  host: ExportRecord | undefined,
  services: readonly ExportRecord[],
  packages: readonly ExportRecord[],
  flags: ReadonlySet<string>,
): Map<string, ServiceExplanation> {
  const tcpdiscovery: HostDocuments["tcpdiscovery"] = {};
  for (const service of services) {
    if (service.fields.unowned === true) continue;
    tcpdiscovery[service.id] = processGroup(service.fields);
  }
  const documents: HostDocuments = {
    tcpdiscovery,
    packages: packagesOf(packages),
    monitoringagents: agentsOf(host?.fields),
  };
  return new Map(explainHost(rules, documents, { flags }).map((e) => [e.key, e]));
}
