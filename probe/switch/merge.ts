/**
 * One device speaking both LLDP and CDP on the same local interface is one
 * neighbour. This module decides when an LLDP neighbour and a CDP neighbour
 * heard on one interface are the same device, and merges the two.
 *
 * The rule (any one is enough; tried in this order):
 * 1. `source_mac`: both PDUs came from the same Ethernet source address.
 *    A switch sends LLDP and CDP out of one port with that port's MAC, so
 *    this is the usual match, and it needs nothing from either PDU's content.
 * 2. `name`: the LLDP system name equals the CDP device ID or the CDP system
 *    name, ignoring case, a trailing "(serial)" (NX-OS appends one to the
 *    device ID) and, when both are host names, the domain ("sw1" and
 *    "sw1.example.net").
 * 3. `chassis_mac`: the LLDP chassis ID is a MAC address and the CDP device
 *    ID contains it (IP phones send "SEP" + MAC; some switches send the bare
 *    MAC, in any of the usual spellings).
 * 4. `management_address`: they share a management IP address.
 *
 * Each CDP neighbour joins at most one LLDP neighbour (the first that
 * matches, in the order they were first heard), and the other way round.
 *
 * The merged neighbour is the LLDP neighbour (802.1AB is the standard and its
 * chassis ID is the key the graph uses) with what only CDP says added: CDP
 * platform, software version, VTP domain, native VLAN when LLDP sent no PVID,
 * duplex, MTU, voice VLAN and so on. Management addresses are the union of
 * both. Capabilities are LLDP's (they say supported and enabled apart, and the
 * two vocabularies overlap: CDP "host" is LLDP "station"), CDP's only when
 * LLDP sent none. The TTL is the longer of the two (the neighbour is known as
 * long as either protocol's information is valid).
 */
import type { ManagementAddress, Neighbour } from "./neighbour.js";

export type MatchRule = "source_mac" | "name" | "chassis_mac" | "management_address";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function nameForms(name: string): string[] {
  const bare = name
    .trim()
    .replace(/\s*\([^()]*\)$/, "")
    .toLowerCase();
  if (bare === "") return [];
  const host = bare.split(".")[0] ?? bare;
  return IPV4.test(bare) || host === bare || host === "" ? [bare] : [bare, host];
}

function namesMatch(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const formsA = nameForms(a);
  const formsB = nameForms(b);
  const [fullA, fullB] = [formsA[0], formsB[0]];
  if (fullA === undefined || fullB === undefined) return false;
  if (fullA === fullB) return true;
  // Host parts are compared only when both names are host names (have a domain or not).
  const hostA = formsA[formsA.length - 1];
  const hostB = formsB[formsB.length - 1];
  return !IPV4.test(fullA) && !IPV4.test(fullB) && hostA === hostB;
}

function macDigits(text: string): string {
  return text.toLowerCase().replace(/[.:-]/g, "");
}

function ipAddresses(addresses: readonly ManagementAddress[]): Set<string> {
  const set = new Set<string>();
  for (const a of addresses) if (a.family === "ipv4" || a.family === "ipv6") set.add(a.address);
  return set;
}

/** Which rule says `lldp` and `cdp` (heard on one interface) are one device; undefined if none. */
export function matchRule(lldp: Neighbour, cdp: Neighbour): MatchRule | undefined {
  if (lldp.source_mac !== undefined && lldp.source_mac === cdp.source_mac) return "source_mac";
  const systemName = lldp.chassis.name;
  if (namesMatch(systemName, cdp.chassis.id) || namesMatch(systemName, cdp.chassis.system_name))
    return "name";
  if (lldp.chassis.id_subtype === "mac_address") {
    const mac = macDigits(lldp.chassis.id);
    if (mac.length === 12 && macDigits(cdp.chassis.id).includes(mac)) return "chassis_mac";
  }
  const lldpAddresses = ipAddresses(lldp.chassis.management_addresses);
  for (const address of ipAddresses(cdp.chassis.management_addresses)) {
    if (lldpAddresses.has(address)) return "management_address";
  }
  return undefined;
}

/** Pairs LLDP and CDP neighbours of one interface: [lldp index, cdp index] pairs. */
export function pairNeighbours(
  lldp: readonly Neighbour[],
  cdp: readonly Neighbour[],
): [number, number][] {
  const pairs: [number, number][] = [];
  const takenLldp = new Set<number>();
  cdp.forEach((c, ci) => {
    const li = lldp.findIndex((l, index) => !takenLldp.has(index) && matchRule(l, c) !== undefined);
    if (li >= 0) {
      takenLldp.add(li);
      pairs.push([li, ci]);
    }
  });
  return pairs;
}

function union<T>(first: readonly T[], second: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set(first.map(key));
  const merged = [...first];
  for (const item of second) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      merged.push(item);
    }
  }
  return merged;
}

/** Adds to `primary`'s fields those only `extra` has; `primary` wins every conflict. */
function fillFrom<T extends object>(primary: T, extra: T): T {
  return { ...extra, ...primary };
}

/** The one neighbour for an LLDP and a CDP neighbour that are the same device. */
export function mergeNeighbours(lldp: Neighbour, cdp: Neighbour): Neighbour {
  const merged: Neighbour = {
    ...fillFrom(lldp, cdp),
    protocols: ["cdp", "lldp"],
    ttl_seconds: Math.max(lldp.ttl_seconds, cdp.ttl_seconds),
    chassis: {
      ...fillFrom(lldp.chassis, cdp.chassis),
      capabilities:
        lldp.chassis.capabilities.supported.length > 0
          ? lldp.chassis.capabilities
          : cdp.chassis.capabilities,
      management_addresses: union(
        lldp.chassis.management_addresses,
        cdp.chassis.management_addresses,
        (a) => `${a.family} ${a.address}`,
      ),
    },
    port: fillFrom(lldp.port, cdp.port),
  };
  const unknown = [...(lldp.unknown_tlvs ?? []), ...(cdp.unknown_tlvs ?? [])];
  if (unknown.length > 0) merged.unknown_tlvs = unknown;
  else delete merged.unknown_tlvs;
  return merged;
}
