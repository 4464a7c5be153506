/**
 * Joins what iproute2 (or /sys) said of each interface with the /sys
 * hardware facts, the default routes and the NIC maker into the document's
 * data, keyed by interface name in ifindex order.
 */
import { isUniversalMac } from "./addresses.js";
import type { DefaultRoute } from "./parse-ip-route.js";
import { type SysFacts, UNKNOWN_SYS_FACTS } from "./read-sys.js";
import type { LinkFacts, NetconfigData, NetInterface } from "./types.js";

export interface BuildInput {
  links: readonly LinkFacts[];
  sys: ReadonlyMap<string, SysFacts>;
  /** Default routes of both families; null when they could not be read. */
  routes: readonly DefaultRoute[] | null;
  vendorOf: (mac: string) => string | null;
}

export function buildNetconfig({ links, sys, routes, vendorOf }: BuildInput): NetconfigData {
  const byName = new Map(links.map((link) => [link.name, link]));
  const members = new Map<string, string[]>();
  for (const link of links) {
    if (link.master === null) continue;
    const list = members.get(link.master.name) ?? [];
    list.push(link.name);
    members.set(link.master.name, list);
  }
  const gateways = new Map<string, string[]>();
  for (const route of routes ?? []) {
    const list = gateways.get(route.dev) ?? [];
    if (route.gateway !== null && !list.includes(route.gateway)) list.push(route.gateway);
    gateways.set(route.dev, list);
  }

  const ordered = [...links].sort(
    (a, b) => (a.ifindex ?? Infinity) - (b.ifindex ?? Infinity) || compareText(a.name, b.name),
  );
  // Object.fromEntries defines own properties, so even an interface named "__proto__" is a plain key.
  return Object.fromEntries(
    ordered.map((link): [string, NetInterface] => {
      const facts = sys.get(link.name) ?? UNKNOWN_SYS_FACTS;
      const ownMac = link.permanentAddress ?? link.address;
      const master = link.master && {
        ...link.master,
        kind: link.master.kind ?? byName.get(link.master.name)?.kind ?? null,
      };
      return [
        link.name,
        {
          ifindex: link.ifindex,
          address: link.address,
          permanent_address: link.permanentAddress,
          vendor:
            facts.virtual === false && ownMac !== null && isUniversalMac(ownMac)
              ? vendorOf(ownMac)
              : null,
          carrier: facts.carrier,
          duplex: facts.duplex,
          mtu: link.mtu,
          operstate: link.operstate,
          admin_up: link.adminUp,
          speed: facts.speed,
          type: link.type,
          kind: link.kind,
          virtual: facts.virtual,
          driver: facts.driver,
          bus: link.bus,
          bus_id: link.busId,
          altnames: link.altnames,
          alias: link.alias,
          link: link.link,
          vlan_id: link.vlanId,
          master,
          members: (members.get(link.name) ?? []).sort(compareText),
          bond: link.bond,
          default_gw: routes === null ? null : gateways.has(link.name),
          default_gateways: routes === null ? null : (gateways.get(link.name) ?? []),
          ipaddrs: link.ipaddrs,
        },
      ];
    }),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
