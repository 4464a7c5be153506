/**
 * Parser of `ip -j neigh show`: the IPv4 ARP and IPv6 neighbour tables.
 * Entries the kernel could not resolve (FAILED, INCOMPLETE), entries without a
 * MAC and multicast addresses are left out without an error: they name no
 * neighbour.
 */
import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { ErrorList } from "../error-list.js";
import { canonicalIp, canonicalMac, isZeroMac } from "../netconfig/addresses.js";
import { interfaceNameProblem, shownName } from "../netconfig/interface-name.js";
import { type Fields, ipJsonRecords } from "../netconfig/ip-json.js";
import type { NeighbourEntry } from "./types.js";

/** States of entries that hold no usable MAC. */
const UNRESOLVED = new Set(["FAILED", "INCOMPLETE"]);
const STATE = /^[A-Z_]{1,32}$/;

export interface ParsedNeighbours {
  entries: NeighbourEntry[];
  errors: DiscoveryError[];
}

export function parseIpNeigh(text: string, where: string): ParsedNeighbours {
  const errors = new ErrorList();
  const entries: NeighbourEntry[] = [];
  for (const row of ipJsonRecords(text, where, errors)) {
    const entry = neighbour(row.fields, row.where, errors);
    if (entry) entries.push(entry);
  }
  return { entries, errors: errors.items };
}

function neighbour(row: Fields, where: string, errors: ErrorList): NeighbourEntry | undefined {
  const states = row.strings("state", 32).map((state) => state.toUpperCase());
  if (states.some((state) => UNRESOLVED.has(state))) return undefined;
  const lladdr = row.string("lladdr", 128);
  const mac = lladdr === undefined ? undefined : canonicalMac(lladdr);
  if (mac === undefined || isZeroMac(mac)) return undefined;

  const dst = row.string("dst", 64);
  const ip = dst === undefined ? undefined : canonicalIp(dst);
  if (!ip) {
    errors.add(where, `dst ${shownName(dst ?? "(missing)")} is not an IP address; skipped`);
    return undefined;
  }
  if (ip.range === "multicast" || ip.range === "broadcast") return undefined;
  const device = row.string("dev", 64);
  const problem = device === undefined ? "is missing" : interfaceNameProblem(device);
  if (device === undefined || problem) {
    errors.add(
      where,
      `dev ${device === undefined ? "" : `${shownName(device)} `}${problem}; skipped`,
    );
    return undefined;
  }
  const known = states.filter((state) => STATE.test(state));
  return {
    device,
    ip: ip.ip,
    mac,
    state: known.length > 0 ? known.join(",") : null,
    // iproute2 prints flags such as "router" as keys with a null value.
    router: row.has("router"),
  };
}
