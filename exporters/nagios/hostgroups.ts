/**
 * Host groups: `assim-os-<os id>`, `assim-role-<rule or service name>`,
 * `assim-switch-<switch>` (the hosts wired to it) and `assim-switches`. Names
 * use letters, digits, `_` and `-` only; values that sanitise alike share a group.
 * Each host names its groups (`hostgroups`), rather than each group listing
 * its members: a group of 100,000 hosts would otherwise be one huge line.
 */
import type { ExportRecord, FieldValue } from "../records.js";
import { safeName, safeText } from "./escape.js";
import type { NagiosHost } from "./hosts.js";
import type { NagiosService } from "./services.js";

export interface NagiosHostgroup {
  name: string;
  alias: string;
}

export interface Hostgroups {
  groups: NagiosHostgroup[];
  /** Host name → the names of its groups, sorted. */
  ofHost: Map<string, string[]>;
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;

const groupPart = (value: string) => safeName(value.replace(/\./g, "_"), "unknown").toLowerCase();

export function nagiosHostgroups(
  records: readonly ExportRecord[],
  hosts: readonly NagiosHost[],
  services: readonly NagiosService[],
): Hostgroups {
  const groups = new Map<string, string>();
  const members = new Map<string, Set<string>>();
  const add = (name: string, alias: string, member: string) => {
    if (!groups.has(name)) groups.set(name, alias);
    const of = members.get(member);
    if (of) of.add(name);
    else members.set(member, new Set([name]));
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
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    groups: [...groups].sort(([a], [b]) => order(a, b)).map(([name, alias]) => ({ name, alias })),
    ofHost: new Map([...members].map(([host, names]) => [host, [...names].sort(order)])),
  };
}
