/**
 * Canonical text of the addresses netconfig and arpcache emit, so the same
 * address always reads the same: IPv4 as a dotted quad, IPv6 lowercase and
 * compressed (RFC 5952, as ipaddr.js prints it), MACs lowercase with colons.
 */
import ipaddr from "ipaddr.js";

export type Family = "ipv4" | "ipv6";

export interface CanonicalIp {
  ip: string;
  family: Family;
  /** ipaddr.js's name for the range: "unicast", "private", "linkLocal", "multicast", ... */
  range: string;
}

/**
 * The canonical form of an IP address, or undefined when text is not one.
 * IPv4 must be four decimal parts (ipaddr.js alone would read "010.0.0.1" as
 * octal and "1.2.3" as 1.2.0.3); zone suffixes ("%eth0") are refused.
 */
export function canonicalIp(text: string): CanonicalIp | undefined {
  if (text.length > 64 || text.includes("%")) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const address = ipaddr.IPv4.parse(text);
    return { ip: address.toString(), family: "ipv4", range: address.range() };
  }
  if (text.includes(":") && ipaddr.IPv6.isValid(text)) {
    const address = ipaddr.IPv6.parse(text);
    return { ip: address.toRFC5952String(), family: "ipv6", range: address.range() };
  }
  return undefined;
}

/** Orders canonical addresses: IPv4 before IPv6, then numerically. */
export function compareIps(a: string, b: string): number {
  const bytesA = ipaddr.parse(a).toByteArray();
  const bytesB = ipaddr.parse(b).toByteArray();
  if (bytesA.length !== bytesB.length) return bytesA.length - bytesB.length;
  for (let i = 0; i < bytesA.length; i++) {
    const diff = (bytesA[i] ?? 0) - (bytesB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

const LINK_ADDRESS = /^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){1,31}$/i;

/**
 * A link-layer address (MAC, or a longer one such as InfiniBand's 20 bytes)
 * as lowercase two-digit hex pairs joined by colons, or undefined when text
 * is not hex pairs (iproute2 shows an IPv4 or IPv6 address as the "MAC" of
 * ipip, sit and gre tunnels).
 */
export function canonicalMac(text: string): string | undefined {
  if (!LINK_ADDRESS.test(text)) return undefined;
  return text
    .toLowerCase()
    .split(":")
    .map((part) => part.padStart(2, "0"))
    .join(":");
}

/** All zeros: what the kernel shows for an unresolved neighbour or a loopback device. */
export function isZeroMac(mac: string): boolean {
  return /^[0:]+$/.test(mac);
}

/**
 * True for a 6-byte MAC whose prefix the IEEE assigned, the only kind that
 * names a maker: not locally administered (random, or set by a hypervisor
 * like 52:54:00:..), not multicast, not all zeros.
 */
export function isUniversalMac(mac: string): boolean {
  if (mac.length !== 17 || isZeroMac(mac)) return false;
  return (Number.parseInt(mac.slice(0, 2), 16) & 0x03) === 0;
}
