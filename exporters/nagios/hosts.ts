/**
 * Nagios hosts from host and switch records: unique safe names, the primary
 * address, `parents` = the switches a host's NICs are wired to.
 */
import { isIP } from "node:net";
import type { ExportRecord, FieldObject, FieldValue } from "../records.js";
import { safeName, safeText, shortHash, uniqueNames } from "./escape.js";

export interface NagiosHost {
  /** The record id. */
  id: string;
  kind: "host" | "switch";
  name: string;
  alias: string;
  address: string;
  parents: string[];
  notes: string;
  cmdbId: string;
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;

const objects = (value: FieldValue | undefined): [string, FieldObject][] =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (Object.entries(value).filter(
        ([, v]) => v !== null && typeof v === "object" && !Array.isArray(v),
      ) as [string, FieldObject][])
    : [];

const strings = (value: FieldValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** An address a Nagios server can reach: not loopback, link-local or unspecified. */
function routable(address: string): boolean {
  const lower = address.toLowerCase();
  if (isIP(lower) === 4) return !/^(127\.|0\.|169\.254\.)/.test(lower);
  if (isIP(lower) === 6) return !(lower === "::" || lower === "::1" || lower.startsWith("fe80:"));
  return false;
}

/**
 * The host's primary address: a routable IPv4 address, else IPv6, of the NIC
 * with the default route first, then physical NICs, then the rest (each by name).
 */
export function primaryAddress(nics: FieldValue | undefined): string | null {
  const ranked = objects(nics).sort(([a, x], [b, y]) => {
    const rank = (nic: FieldObject) => (nic.default_gw === true ? 0 : nic.virtual === true ? 2 : 1);
    return rank(x) - rank(y) || (a < b ? -1 : a > b ? 1 : 0);
  });
  const addresses = ranked.flatMap(([, nic]) =>
    strings(nic.ips)
      .map((cidr) => cidr.split("/")[0] ?? "")
      .filter(routable),
  );
  return addresses.find((a) => isIP(a) === 4) ?? addresses[0] ?? null;
}

/** Host names a stock Nagios configuration already defines. */
const RESERVED = new Set(["localhost"]);

/** Hosts then switches, each with a unique name among all of them. */
export function nagiosHosts(records: readonly ExportRecord[]): NagiosHost[] {
  const systems = records.filter((r) => r.kind === "host" || r.kind === "switch");
  const wanted = systems.map((r) => {
    const f = r.fields;
    const real = str(f.name) ?? str(f.hostname) ?? str(f.fqdn);
    const fallback = `${r.kind}-${shortHash(r.id)}`;
    const name = safeName(real, fallback);
    // Debian's own localhost.cfg defines "localhost": a second one would be an error.
    return {
      key: r.id,
      name: RESERVED.has(name.toLowerCase()) ? `${name}-${shortHash(r.id)}` : name,
    };
  });
  const names = uniqueNames(wanted);
  const switchNames = new Map(
    systems.filter((r) => r.kind === "switch").map((r) => [r.id, names.get(r.id) as string]),
  );
  return systems.map((r) => {
    const f = r.fields;
    const name = names.get(r.id) as string;
    const real = str(f.fqdn) ?? str(f.hostname) ?? str(f.name);
    if (r.kind === "switch") {
      const management = strings(f.management_addresses).find(routable) ?? null;
      return {
        id: r.id,
        kind: "switch",
        name,
        alias: safeText(real, name),
        address: management ?? name,
        parents: [],
        notes: safeText(
          [str(f.description), str(f.platform)].filter((s) => s !== null).join(" / "),
          "switch seen over LLDP/CDP",
        ),
        cmdbId: safeText(r.id, "unknown"),
      };
    }
    const parents = new Set<string>();
    for (const [, nic] of objects(f.nics)) {
      const parent = switchNames.get(str(nic.switch) ?? "");
      if (parent) parents.add(parent);
    }
    const osName = str(f.os_name) ?? "";
    const osVersion = str(f.os_version) ?? "";
    const os = osName.includes(osVersion) ? osName : `${osName} ${osVersion}`;
    return {
      id: r.id,
      kind: "host",
      name,
      alias: safeText(real, name),
      address: primaryAddress(f.nics) ?? name,
      parents: [...parents].sort(),
      notes: safeText(os, "host discovered by assim"),
      cmdbId: safeText(r.id, "unknown"),
    };
  });
}
