/** arpcache → ARP_NEIGHBOUR: the IP and MAC each interface resolved (not the volatile state). */
import { canonicalIp } from "../../graph/keys.js";
import type { ArpNeighbourFacts } from "../../graph/store.js";
import { ipFacts } from "./addresses.js";
import type { Mapper } from "./context.js";

type ArpData = Record<string, Record<string, { mac: string; router: boolean }>>;

export const mapArpcache: Mapper = (document, context) => {
  const data = document.data as ArpData;
  const warnings: string[] = [];
  const neighbours: ArpNeighbourFacts[] = [];
  for (const [ifname, entries] of Object.entries(data)) {
    for (const [address, entry] of Object.entries(entries)) {
      const ip = canonicalIp(address);
      if (!ip || ip.any) {
        warnings.push(`arpcache ${ifname}: "${address}" is not a usable address; skipped`);
        continue;
      }
      neighbours.push({
        ip: ipFacts(ip, context.system),
        interface: ifname,
        props: { interface: ifname, mac: entry.mac, router: entry.router },
      });
    }
  }
  return {
    warnings,
    apply: (tx) => tx.replaceArpNeighbours(context.system, neighbours, context.at),
  };
};
