/** Facts for IP addresses and IP ports, shared by the mappers. */
import { type CanonicalIp, canonicalIp, ipKey, ipPortKey } from "../../graph/keys.js";
import type { IpPortFacts, NodeFacts } from "../../graph/store.js";

/** An IPAddr node: loopback addresses carry the system they belong to. */
export function ipFacts(ip: CanonicalIp, system: string): NodeFacts {
  return {
    key: ipKey(ip, system),
    props: {
      ip: ip.ip,
      version: ip.version,
      scope: ip.scope,
      system: ip.scope === "host" ? system : null,
    },
  };
}

export interface Endpoint {
  proto: string;
  addr: string;
  port: number;
}

/** An IPPort node (wildcards and loopback scoped to the system), or null for an unreadable address. */
export function ipPortFacts(endpoint: Endpoint, system: string): IpPortFacts | null {
  const ip = canonicalIp(endpoint.addr);
  if (!ip) return null;
  const scoped = ip.any || ip.scope === "host";
  return {
    key: ipPortKey(endpoint.proto, ip, endpoint.port, system),
    props: {
      ip: ip.ip,
      proto: endpoint.proto,
      port: endpoint.port,
      system: scoped ? system : null,
    },
    ip: ip.any ? null : ipFacts(ip, system),
  };
}
