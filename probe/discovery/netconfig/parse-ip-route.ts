/**
 * Parser of `ip -j route show default` (IPv4 or IPv6, main table): which
 * interface carries a default route, and through which gateway. Multipath
 * routes give one entry per next hop; IPv4 routes through an IPv6 next hop
 * ("via inet6 fe80::1") give that address.
 */
import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { ErrorList } from "../error-list.js";
import { canonicalIp } from "./addresses.js";
import { interfaceNameProblem, shownName } from "./interface-name.js";
import { Fields, ipJsonRecords, isRecord } from "./ip-json.js";

export interface DefaultRoute {
  dev: string;
  /** Null for a route straight onto a link ("default dev ppp0"). */
  gateway: string | null;
}

export interface ParsedRoutes {
  routes: DefaultRoute[];
  errors: DiscoveryError[];
}

/** Route types that forward traffic; blackhole, unreachable, prohibit and throw do not. */
const FORWARDING = new Set(["unicast"]);

export function parseDefaultRoutes(text: string, where: string): ParsedRoutes {
  const errors = new ErrorList();
  const routes: DefaultRoute[] = [];
  for (const { fields: route, where: entryWhere } of ipJsonRecords(text, where, errors)) {
    if (route.string("dst", 64) !== "default") continue;
    const type = route.string("type", 64);
    if (type !== undefined && !FORWARDING.has(type)) continue;
    const nexthops = route.has("nexthops") ? route.list("nexthops") : [route.record];
    nexthops.forEach((hop, hopIndex) => {
      const hopWhere = route.has("nexthops") ? `${entryWhere} nexthop ${hopIndex}` : entryWhere;
      if (!isRecord(hop)) {
        errors.add(hopWhere, "not an object; skipped");
        return;
      }
      const parsed = nextHop(new Fields(hop, hopWhere, errors), hopWhere, errors);
      if (parsed) routes.push(parsed);
    });
  }
  return { routes, errors: errors.items };
}

function nextHop(hop: Fields, where: string, errors: ErrorList): DefaultRoute | undefined {
  const dev = hop.string("dev", 64);
  if (dev === undefined) {
    errors.add(where, "default route without a device; skipped");
    return undefined;
  }
  const problem = interfaceNameProblem(dev);
  if (problem) {
    errors.add(where, `device ${shownName(dev)} ${problem}; skipped`);
    return undefined;
  }
  const text = hop.string("gateway", 64) ?? hop.object("via")?.string("host", 64);
  if (text === undefined) return { dev, gateway: null };
  const gateway = canonicalIp(text);
  if (!gateway) {
    errors.add(where, `gateway ${shownName(text)} is not an IP address; route kept without it`);
    return { dev, gateway: null };
  }
  return { dev, gateway: gateway.ip };
}
