/** Addresses of a host record's NICs: its primary address and its subnets. */
import ipaddr from "ipaddr.js";
import { compareIds } from "../fields.js";
import { networkAddress } from "../network-address.js";
import type { FieldObject } from "../records.js";

/** Ranges that say nothing about where a host is: every host has them. */
const LOCAL_RANGES = new Set(["loopback", "linkLocal", "unspecified", "multicast", "broadcast"]);

interface Address {
  ip: string;
  version: 4 | 6;
  /** The network in CIDR form ("10.0.0.0/24"), null without a prefix length. */
  network: string | null;
  nic: string;
  defaultGw: boolean;
}

/** "10.0.0.10/24" → its address and network; null for anything that is not a routable address. */
function parseAddress(text: string, nic: string, defaultGw: boolean): Address | null {
  const slash = text.indexOf("/");
  const ip = slash < 0 ? text : text.slice(0, slash);
  if (!ipaddr.isValid(ip)) return null;
  const parsed = ipaddr.parse(ip);
  if (LOCAL_RANGES.has(parsed.range())) return null;
  const version = parsed.kind() === "ipv4" ? 4 : 6;
  let network: string | null = null;
  if (slash >= 0 && /^\d{1,3}$/.test(text.slice(slash + 1))) {
    const prefix = Number(text.slice(slash + 1));
    if (prefix <= (version === 4 ? 32 : 128)) {
      network = `${networkAddress(parsed, prefix)}/${prefix}`;
    }
  }
  return { ip: parsed.toString(), version, network, nic, defaultGw };
}

/** The routable addresses of a host's NICs: the default gateway's NIC first, then by NIC name. */
export function addressesOf(nics: FieldObject): Address[] {
  const addresses: Address[] = [];
  for (const name of Object.keys(nics).sort(compareIds)) {
    const nic = nics[name] as FieldObject | null;
    const ips = Array.isArray(nic?.ips) ? nic.ips : [];
    for (const ip of ips) {
      if (typeof ip !== "string") continue;
      const address = parseAddress(ip, name, nic?.default_gw === true);
      if (address) addresses.push(address);
    }
  }
  return addresses.sort((a, b) => Number(b.defaultGw) - Number(a.defaultGw));
}

/** The address Ansible connects to: the first IPv4, else the first IPv6, else null. */
export function primaryAddress(addresses: readonly Address[]): string | null {
  return (
    (addresses.find((a) => a.version === 4) ?? addresses.find((a) => a.version === 6))?.ip ?? null
  );
}

/** The networks the host has an address in, in CIDR form, sorted. */
export function subnetsOf(addresses: readonly Address[]): string[] {
  return [...new Set(addresses.map((a) => a.network).filter((n) => n !== null))].sort(compareIds);
}
