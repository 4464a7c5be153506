/**
 * The Ansible inventory of a set of export records: groups and host vars.
 * One builder for both outputs, the YAML file of `assim export --format
 * ansible` and the JSON of `assim ansible-inventory --list`.
 */
import { compareIds } from "../fields.js";
import type { ExportRecord, FieldObject, FieldValue } from "../records.js";
import { addressesOf, primaryAddress, subnetsOf } from "./addresses.js";
import { type HostContext, hostVars } from "./hostvars.js";
import { GroupNamer, groupPart, hostNames, NameBook } from "./names.js";
import { ROLE_NAMES, serviceRole } from "./roles.js";

export interface Inventory {
  /** Group name → its hosts (sorted); groups sorted by name. Every group is a child of `all`. */
  groups: Record<string, string[]>;
  /** Inventory host name → its variables; hosts sorted by name. */
  hostvars: Record<string, FieldObject>;
  /** What was left out, and why (each value quoted and escaped). */
  warnings: string[];
}

export const UNMONITORED = "unmonitored";

/** A discovered value inside a message: JSON-quoted, anything but printable ASCII escaped. */
export function quote(value: string): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Lone UTF-16 surrogates (from a JSON "\ud800") become U+FFFD: no YAML or JSON reader takes them. */
function wellFormed(value: FieldValue): FieldValue {
  if (typeof value === "string") {
    return value.replace(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      "\ufffd",
    );
  }
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === "object") {
    const out: FieldObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = wellFormed(v);
    return out;
  }
  return value;
}

const text = (value: FieldValue | undefined) => (typeof value === "string" ? value : null);

function groupBy(records: readonly ExportRecord[], field: string): Map<string, ExportRecord[]> {
  const by = new Map<string, ExportRecord[]>();
  for (const record of records) {
    const key = text(record.fields[field]);
    if (key === null) continue;
    const list = by.get(key) ?? [];
    list.push(record);
    by.set(key, list);
  }
  return by;
}

/** The group label of a switch: the first label of a DNS name, else its name, else its chassis id. */
function switchLabel(sw: ExportRecord): string {
  const name = text(sw.fields.name) ?? "";
  const short = /^([A-Za-z][A-Za-z0-9-]*)\.[A-Za-z]/.exec(name)?.[1];
  if (short) return short;
  if (groupPart(name) !== "") return name;
  return text(sw.fields.chassis_id) ?? sw.id;
}

export function buildInventory(records: readonly ExportRecord[]): Inventory {
  const of = (kind: string) => records.filter((r) => r.kind === kind);
  const hosts = of("host");
  const switches = of("switch");
  const services = groupBy(of("service"), "host");
  const uses = groupBy(of("dependency"), "client_host");
  const usedBy = groupBy(of("dependency"), "server_host");
  const warnings: string[] = [];

  const book = new NameBook();
  for (const role of [...ROLE_NAMES, UNMONITORED]) book.take(role);
  const namers = {
    os: new GroupNamer(book, "os"),
    switch: new GroupNamer(book, "switch"),
    subnet: new GroupNamer(book, "subnet"),
    status: new GroupNamer(book, "status"),
  };
  const skipped = new Set<string>();
  const group = (kind: keyof typeof namers, key: string, label: string, host: string) => {
    const name = namers[kind].name(key, label);
    if (name === null && !skipped.has(`${kind} ${key}`)) {
      skipped.add(`${kind} ${key}`);
      warnings.push(
        `${kind} ${quote(label)} (host ${quote(host)}) gives no usable group name; group skipped`,
      );
    }
    return name;
  };

  const switchNames = new Map(
    switches.map((sw) => [sw.id, text(sw.fields.name) ?? text(sw.fields.chassis_id) ?? sw.id]),
  );
  const switchLabels = new Map(switches.map((sw) => [sw.id, switchLabel(sw)]));

  // Groups first: host names then avoid every group name.
  const membership = hosts.map((host) => {
    const f = host.fields;
    const hostname = text(f.hostname) ?? text(f.name) ?? host.id;
    const groups = new Set<string>();
    const add = (name: string | null) => {
      if (name !== null) groups.add(name);
    };
    const hostServices = services.get(host.id) ?? [];
    const roles = new Set(hostServices.map((s) => serviceRole(s.fields)).filter((r) => r !== null));
    for (const role of roles) add(role);
    const os = text(f.os_id);
    if (os !== null) {
      const family = group("os", os.toLowerCase(), os, hostname);
      add(family);
      const version = text(f.os_version);
      // A version group only beside its distribution's: "os_12" alone would say nothing.
      if (family !== null && version !== null) {
        const key = `${os} ${version}`;
        add(group("os", key.toLowerCase(), key, hostname));
      }
    }
    const nics = (f.nics ?? {}) as FieldObject;
    for (const nic of Object.values(nics)) {
      const sw = text((nic as FieldObject | null)?.switch);
      if (sw !== null) add(group("switch", sw, switchLabels.get(sw) ?? sw, hostname));
    }
    const addresses = addressesOf(nics);
    for (const subnet of subnetsOf(addresses)) add(group("subnet", subnet, subnet, hostname));
    const status = text(f.status);
    if (status !== null) add(group("status", status, status, hostname));
    if (hostServices.some((s) => s.fields.monitored !== true && s.fields.nomon !== true)) {
      add(UNMONITORED);
    }
    return { host, hostname, groups, roles: [...roles].sort(compareIds), addresses };
  });

  const names = hostNames(
    membership.map((m) => ({
      machineId: text(m.host.fields.machine_id) ?? m.host.id,
      hostname: m.hostname,
    })),
    book,
  );
  const nameOf = new Map(membership.map((m, i) => [m.host.id, names[i] as string]));
  const hostName = (id: FieldValue) => (typeof id === "string" ? (nameOf.get(id) ?? null) : null);

  const groups = new Map<string, string[]>();
  const hostvars: [string, FieldObject][] = [];
  membership.forEach((m, i) => {
    const name = names[i] as string;
    for (const g of m.groups) {
      const members = groups.get(g);
      if (members) members.push(name);
      else groups.set(g, [name]);
    }
    const ctx: HostContext = {
      services: services.get(m.host.id) ?? [],
      uses: uses.get(m.host.id) ?? [],
      usedBy: usedBy.get(m.host.id) ?? [],
      switchNames,
      hostName,
    };
    const vars = hostVars(m.host, primaryAddress(m.addresses), m.roles, ctx);
    hostvars.push([name, wellFormed(vars) as FieldObject]);
  });

  return {
    groups: Object.fromEntries(
      [...groups.entries()]
        .sort(([a], [b]) => compareIds(a, b))
        .map(([g, members]) => [g, members.sort(compareIds)]),
    ),
    hostvars: Object.fromEntries(hostvars.sort(([a], [b]) => compareIds(a, b))),
    warnings,
  };
}
