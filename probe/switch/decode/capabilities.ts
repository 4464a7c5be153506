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

function names(bits: number, table: CapabilityName[], width: number): CapabilityName[] {
  const out: CapabilityName[] = [];
  for (let bit = 0; bit < width; bit++) {
    // Multiplication, not shifts: bit 31 of a u32 must stay positive.
    if (Math.floor(bits / 2 ** bit) % 2 === 1) out.push(table[bit] ?? `bit${bit}`);
  }
  return out;
}

export function lldpCapabilities(bits: number): CapabilityName[] {
  return names(bits, LLDP_BITS, 16);
}

export function cdpCapabilities(bits: number): CapabilityName[] {
  return names(bits, CDP_BITS, 32);
}
