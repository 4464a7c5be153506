/**
 * Reading record fields for the ITIL formats: typed accessors that turn a
 * field into the string, number or list a CMDB field takes (undefined when
 * the graph does not know it), and addresses parsed with ipaddr.js so that
 * only real addresses reach fields the targets type as addresses.
 */
import ipaddr from "ipaddr.js";
import { networkAddress } from "../network-address.js";
import type { ExportRecord, FieldObject, FieldValue } from "../records.js";

export const textOf = (value: FieldValue | undefined): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

export const intOf = (value: FieldValue | undefined): number | undefined =>
  typeof value === "number" && Number.isInteger(value) ? value : undefined;

export const objectOf = (value: FieldValue | undefined): FieldObject | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;

export const stringsOf = (value: FieldValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** A field value as CMDB text: strings as they are, other values as JSON; null stays null. */
export function asText(value: FieldValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The host's name as a CMDB shows it: the OS hostname, else the agent's host name, else its machine id. */
export function hostName(record: ExportRecord): string {
  const f = record.fields;
  return textOf(f.hostname) ?? textOf(f.name) ?? textOf(f.machine_id) ?? record.id;
}

export interface Address {
  address: string;
  version: 4 | 6;
  prefix: number;
  /** Dotted netmask (IPv4) or the prefix length as text (IPv6). */
  netmask: string;
  /** The network address. */
  subnet: string;
  loopback: boolean;
}

/** Parsed addresses by text: each is parsed about four times per export (IRE and GLPI, twice each). */
const parsedAddresses = new Map<string, Readonly<Address> | null>();
/** Beyond this many the cache starts again (a fleet's addresses, not unbounded growth). */
const PARSED_ADDRESSES_MAX = 1 << 20;

/** "10.0.0.10/24" → its parts; undefined for anything that is not an address with a prefix. */
export function parseAddress(cidr: string): Readonly<Address> | undefined {
  let parsed = parsedAddresses.get(cidr);
  if (parsed === undefined) {
    if (parsedAddresses.size >= PARSED_ADDRESSES_MAX) parsedAddresses.clear();
    parsed = parseAddressText(cidr) ?? null;
    parsedAddresses.set(cidr, parsed === null ? null : Object.freeze(parsed));
  }
  return parsed ?? undefined;
}

function parseAddressText(cidr: string): Address | undefined {
  if (!ipaddr.isValidCIDR(cidr)) return undefined;
  const [ip, prefix] = ipaddr.parseCIDR(cidr);
  const version = ip.kind() === "ipv4" ? 4 : 6;
  const subnet = networkAddress(ip, prefix);
  const netmask =
    version === 4 ? ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString() : String(prefix);
  return {
    address: ip.toString(),
    version,
    prefix,
    netmask,
    subnet,
    loopback: ip.range() === "loopback",
  };
}

/** A bare address (no prefix), normalised; undefined when it is not one. */
export function plainAddress(text: string): { address: string; version: 4 | 6 } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const ip = ipaddr.parse(text);
  return { address: ip.toString(), version: ip.kind() === "ipv4" ? 4 : 6 };
}

/** A host's NICs by name, in code point order, without loopback interfaces. */
export function hostNics(record: ExportRecord): [string, FieldObject][] {
  const nics = objectOf(record.fields.nics) ?? {};
  return Object.keys(nics)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((name): [string, FieldObject][] => {
      const nic = objectOf(nics[name]);
      if (!nic || nic.kind === "loopback") return [];
      return [[name, nic]];
    });
}

/** TCP ports a service listens on, ascending, each once. */
export function tcpPorts(record: ExportRecord): number[] {
  const ports = new Set<number>();
  for (const entry of stringsOf(record.fields.listen)) {
    const match = /^tcp6?\/.*:(\d+)$/.exec(entry);
    if (match) ports.add(Number(match[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

/** Records of one kind grouped by the host they belong to (`fields.host`). */
export function byHost(
  records: readonly ExportRecord[],
  kind: string,
): Map<string, ExportRecord[]> {
  const groups = new Map<string, ExportRecord[]>();
  for (const record of records) {
    const host = record.kind === kind ? textOf(record.fields.host) : undefined;
    if (host === undefined) continue;
    const group = groups.get(host);
    if (group) group.push(record);
    else groups.set(host, [record]);
  }
  return groups;
}
