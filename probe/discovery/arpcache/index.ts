import type { DiscoveryAgent } from "../agent.js";
import { collectArpcache } from "./collect.js";
import type { ArpcacheData } from "./types.js";

export type { ArpcacheData, Neighbour } from "./types.js";

export function summarizeArpcache(data: ArpcacheData): string {
  let ipv4 = 0;
  let ipv6 = 0;
  for (const table of Object.values(data)) {
    for (const ip of Object.keys(table)) {
      if (ip.includes(":")) ipv6++;
      else ipv4++;
    }
  }
  const devices = Object.keys(data).length;
  const total = ipv4 + ipv6;
  return `${total} neighbour${total === 1 ? "" : "s"} (${ipv4} IPv4, ${ipv6} IPv6) on ${devices} interface${devices === 1 ? "" : "s"}`;
}

export const arpcacheAgent: DiscoveryAgent<ArpcacheData> = {
  type: "arpcache",
  description: "Resolved IPv4 ARP and IPv6 neighbour entries: IP, MAC and state per interface",
  collect: collectArpcache,
  summarize: summarizeArpcache,
};
