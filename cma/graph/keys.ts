/**
 * Node identities, one function per label, so that every writer (ingest, tests,
 * benchmarks) and every adapter agrees on them. The rules and their reasons are
 * in docs/graph-model.md.
 */
import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** A host System: by machine id (hostnames are not identities). */
export function hostSystemKey(machineId: string): string {
  return `host:${machineId}`;
}

/** A switch System: by the chassis id it announces (LLDP chassis id, CDP device id). */
export function switchSystemKey(chassisId: string): string {
  return `switch:${chassisId}`;
}

/** A NIC whose MAC identifies it everywhere (see nicScope()). */
export function globalNicKey(mac: string): string {
  return `mac:${mac}`;
}

/** A NIC known only inside its system: by system and interface name. */
export function scopedNicKey(systemKey: string, ifname: string): string {
  return `nic:${systemKey}:${ifname}`;
}

/** True for a 6-byte MAC with the universal/local bit clear, not multicast and not all zeros. */
export function isUniversalUnicastMac(mac: string): boolean {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return false;
  if (mac === "00:00:00:00:00:00") return false;
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 0b11) === 0; // bit 0: multicast, bit 1: locally administered
}

/** MACs in one form: lowercase, colon-separated. Accepts "-" and "." (Cisco) notation too. */
export function canonicalMac(text: string): string | null {
  const hex = text.trim().toLowerCase().replace(/[-:.]/g, "");
  if (!/^([0-9a-f]{2}){6}$/.test(hex) && !/^([0-9a-f]{2}){8}$/.test(hex)) return null;
  return hex.match(/../g)?.join(":") ?? null;
}

export type IpScope = "global" | "host";

export interface CanonicalIp {
  ip: string;
  version: 4 | 6;
  /** "host" for loopback: the address means a different place on every system. */
  scope: IpScope;
  /** Wildcard listener address 0.0.0.0 or ::. */
  any: boolean;
}

/** RFC 5952 IPv6 (lowercase, compressed), IPv4-mapped IPv6 as IPv4. Null when not an IP. */
export function canonicalIp(text: string): CanonicalIp | null {
  if (typeof text !== "string") return null;
  const trimmed = text.trim();
  // Strict forms only: ipaddr.js also takes "1.2.3", "0xa.0.0.1" and "010.0.0.1"
  // (octal!), and IPv6 zone ids, none of which name one address unambiguously.
  const valid = trimmed.includes(":")
    ? ipaddr.IPv6.isValid(trimmed) && !trimmed.includes("%")
    : ipaddr.IPv4.isValidFourPartDecimal(trimmed) && !/(^|\.)0\d/.test(trimmed);
  if (!valid) return null;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(trimmed);
  } catch {
    return null;
  }
  const range = parsed.range();
  return {
    ip: parsed.toString(),
    version: parsed.kind() === "ipv4" ? 4 : 6,
    scope: range === "loopback" ? "host" : "global",
    any: range === "unspecified",
  };
}

/** An IPAddr: the canonical address, scoped to its system when host-scoped (loopback). */
export function ipKey(ip: CanonicalIp, systemKey: string): string {
  return ip.scope === "host" ? `${ip.ip}%${systemKey}` : ip.ip;
}

/** An IPPort: proto, address (wildcards and loopback scoped to the system) and port. */
export function ipPortKey(proto: string, ip: CanonicalIp, port: number, systemKey: string): string {
  const where = ip.any || ip.scope === "host" ? `${ip.ip}%${systemKey}` : ip.ip;
  return `${proto}|${where}|${port}`;
}

/** Hash of an argv: SHA-256 of its JSON text, so argument boundaries count. */
export function argvHash(argv: readonly string[]): string {
  return sha256(JSON.stringify(argv));
}

/**
 * A Process: by system, executable and argv hash (not pid, so a restart or a
 * pool of identical workers is one node). `exe` is "[name]" when unreadable.
 */
export function processKey(systemKey: string, exe: string, argvSha256: string): string {
  return `proc:${sha256(JSON.stringify([systemKey, exe, argvSha256]))}`;
}

/** A switch port: by its switch and the port id it announces. */
export function switchPortKey(switchKey: string, portId: string): string {
  return `${switchKey}|port:${portId}`;
}

/** A Package: one node per (manager, name, version, arch), shared by the systems that install it. */
export function packageKey(
  manager: string,
  name: string,
  version: string,
  arch: string | null,
): string {
  return `${manager}:${name}:${version}:${arch ?? ""}`;
}
