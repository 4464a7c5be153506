/**
 * Host groups: `assim-os-<os id>`, `assim-role-<rule or service name>`,
 * `assim-switch-<switch>` (the hosts wired to it) and `assim-switches`. Names
 * use letters, digits, `_` and `-` only; values that sanitise alike share a group.
 */
import type { ExportRecord, FieldValue } from "../records.js";
import { safeName, safeText } from "./escape.js";
import type { NagiosHost } from "./hosts.js";
import type { NagiosService } from "./services.js";

export interface NagiosHostgroup {
  name: string;
  alias: string;
  members: string[];
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;

const groupPart = (value: string) => safeName(value.replace(/\./g, "_"), "unknown").toLowerCase();

export function nagiosHostgroups(
  records: readonly ExportRecord[],
  hosts: readonly NagiosHost[],
  services: readonly NagiosService[],
): NagiosHostgroup[] {
  const groups = new Map<string, { alias: string; members: Set<string> }>();
  const add = (name: string, alias: string, member: string) => {
    const group = groups.get(name) ?? { alias, members: new Set<string>() };
    group.members.add(member);
    groups.set(name, group);
  };
  const record = new Map(records.map((r) => [r.id, r]));
  for (const host of hosts) {
    if (host.kind === "switch") {
      add("assim-switches", "Switches seen by assim", host.name);
      continue;
    }
    const os = str(record.get(host.id)?.fields.os_id);
    if (os !== null) add(`assim-os-${groupPart(os)}`, safeText(`OS ${os}`, "OS"), host.name);
    for (const parent of host.parents) {
      add(`assim-switch-${groupPart(parent)}`, `Hosts wired to ${parent}`, host.name);
    }
  }
  for (const service of services) {
    if (service.role === null) continue;
    add(`assim-role-${groupPart(service.role)}`, `Hosts running ${service.role}`, service.host);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { alias, members }]) => ({ name, alias, members: [...members].sort() }));
}
