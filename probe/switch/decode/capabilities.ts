/** Capability bitmaps of both protocols, named from one vocabulary. */
import type { CapabilityName } from "../neighbour.js";

/** 802.1AB system capabilities, bit 0 first. */
const LLDP_BITS: CapabilityName[] = [
  "other",
  "repeater",
  "bridge",
  "wlan_ap",
  "router",
  "telephone",
  "docsis",
  "station",
  "cvlan",
  "svlan",
  "tpmr",
];

/** CDP capabilities, bit 0 first; the same concept gets the LLDP name. */
const CDP_BITS: CapabilityName[] = [
  "router",
  "bridge",
  "source_route_bridge",
  "switch",
  "host",
  "igmp",
  "repeater",
  "telephone",
  "remotely_managed",
  "cvta",
  "tpmr",
];

function names(bits: number, table: CapabilityName[]): CapabilityName[] {
  const out: CapabilityName[] = [];
  // Unsigned shifts keep bit 31 of a u32 positive; stop at the highest set bit.
  for (let bit = 0; bits >>> bit !== 0 && bit < 32; bit++) {
    if (((bits >>> bit) & 1) === 1) out.push(table[bit] ?? `bit${bit}`);
  }
  return out;
}

export function lldpCapabilities(bits: number): CapabilityName[] {
  return names(bits & 0xffff, LLDP_BITS);
}

export function cdpCapabilities(bits: number): CapabilityName[] {
  return names(bits, CDP_BITS);
}
