/**
 * One host's discovery documents from JSON lines as `assim discover` prints
 * them (the explain command reads these rather than the graph store).
 */
import type { MonitoringAgentsData } from "../../probe/discovery/monitoringagents/types.js";
import type { PackagesData } from "../../probe/discovery/packages/types.js";
import type { TcpDiscoveryData } from "../../probe/discovery/tcpdiscovery/types.js";
import type { HostDocuments } from "./match.js";

const WANTED = new Set(["tcpdiscovery", "packages", "monitoringagents"]);

/** Thrown for input that is not what `assim discover` prints; the CLI reports it as a usage error. */
export class DocumentsError extends Error {
  override name = "DocumentsError";
}

/**
 * The last tcpdiscovery, packages and monitoringagents document of the host
 * (the only host when none is named); other types are skipped.
 */
export function hostDocuments(text: string, host?: string): HostDocuments & { host: string } {
  const byHost = new Map<string, Map<string, unknown>>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (error) {
      throw new DocumentsError(`line ${index + 1}: not JSON: ${(error as Error).message}`);
    }
    const { discovertype, host: name, data } = (doc ?? {}) as Record<string, unknown>;
    if (typeof discovertype !== "string" || typeof name !== "string" || data === undefined)
      throw new DocumentsError(`line ${index + 1}: not a discovery document`);
    if (!WANTED.has(discovertype)) return;
    const docs = byHost.get(name) ?? new Map<string, unknown>();
    byHost.set(name, docs);
    docs.set(discovertype, data);
  });
  const hosts = [...byHost.keys()].sort();
  const chosen = host ?? (hosts.length === 1 ? hosts[0] : undefined);
  if (chosen === undefined) {
    throw new DocumentsError(
      hosts.length === 0
        ? "no tcpdiscovery, packages or monitoringagents document in the input"
        : `documents of several hosts (${hosts.join(", ")}): name one with --host`,
    );
  }
  const docs = byHost.get(chosen);
  const tcp = docs?.get("tcpdiscovery") as TcpDiscoveryData | undefined;
  if (!tcp) throw new DocumentsError(`no tcpdiscovery document for host ${chosen}`);
  return {
    host: chosen,
    tcpdiscovery: tcp,
    packages: (docs?.get("packages") as PackagesData | undefined) ?? null,
    monitoringagents: (docs?.get("monitoringagents") as MonitoringAgentsData | undefined) ?? null,
  };
}
