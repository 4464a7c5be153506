/**
 * Service dependencies from dependency records: when the server's service is
 * not OK, Nagios does not notify about the client's service that uses it.
 * Only when both ends are services of ours; a dependency that would close a
 * cycle (Nagios refuses circular dependencies) is left out with a warning.
 */
import type { ExportRecord, FieldValue } from "../records.js";
import type { NagiosService } from "./services.js";

export interface NagiosDependency {
  host: string;
  service: string;
  dependentHost: string;
  dependentService: string;
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;

export function nagiosDependencies(
  records: readonly ExportRecord[],
  services: readonly NagiosService[],
  warn: (message: string) => void,
): NagiosDependency[] {
  const byId = new Map(services.map((s) => [s.id, s]));
  /** dependent service id → the service ids it depends on. */
  const edges = new Map<string, Set<string>>();
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const at = stack.pop() as string;
      if (at === to) return true;
      if (seen.has(at)) continue;
      seen.add(at);
      stack.push(...(edges.get(at) ?? []));
    }
    return false;
  };
  const out: NagiosDependency[] = [];
  for (const r of records) {
    if (r.kind !== "dependency") continue;
    const master = byId.get(str(r.fields.server_service) ?? "");
    const dependent = byId.get(str(r.fields.client_service) ?? "");
    if (!master || !dependent || master.id === dependent.id) continue;
    if (edges.get(dependent.id)?.has(master.id)) continue;
    if (reaches(master.id, dependent.id)) {
      warn(
        `nagios: dependency ${dependent.host}/${dependent.description} -> ${master.host}/${master.description} left out: it would close a cycle`,
      );
      continue;
    }
    const from = edges.get(dependent.id);
    if (from) from.add(master.id);
    else edges.set(dependent.id, new Set([master.id]));
    out.push({
      host: master.host,
      service: master.description,
      dependentHost: dependent.host,
      dependentService: dependent.description,
    });
  }
  return out;
}
