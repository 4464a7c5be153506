/**
 * netconfig → the host's NICs (HAS_NIC) and addresses (HAS_IP), then the
 * derived WIRED_TO and DEPENDS_ON, which depend on which NIC and IP the host has.
 *
 * NIC identity (docs/graph-model.md): a NIC is known by its MAC everywhere
 * ("mac:<mac>") when that MAC can only be this card's: a universally
 * administered unicast MAC (the permanent one, for bond slaves) of a device
 * that is not virtual, which no other interface of the document shares and no
 * other System already has. Every other NIC (loopback, bridges, VLANs, veths,
 * locally administered or shared MACs, interfaces without a MAC) is known by
 * its System and name ("nic:<system>:<ifname>").
 */
import {
  canonicalIp,
  globalNicKey,
  isUniversalUnicastMac,
  scopedNicKey,
} from "../../graph/keys.js";
import type { AddressFacts, NodeFacts } from "../../graph/store.js";
import { ipFacts } from "./addresses.js";
import type { Mapper } from "./context.js";

interface NetInterface {
  address: string | null;
  permanent_address: string | null;
  vendor: string | null;
  carrier: boolean | null;
  duplex: string | null;
  mtu: number | null;
  operstate: string;
  admin_up: boolean | null;
  speed: number | null;
  type: string | null;
  kind: string | null;
  virtual: boolean | null;
  driver: string | null;
  bus: string | null;
  bus_id: string | null;
  alias: string | null;
  link: string | null;
  vlan_id: number | null;
  master: { name: string } | null;
  default_gw: boolean | null;
  ipaddrs: Record<
    string,
    { brd: string | null; scope: string; name: string; peer: string | null; dynamic: boolean }
  > | null;
}

/** The MAC that identifies the card: a bond slave's own, not the one the bond gave it. */
const identityMac = (nic: NetInterface) => nic.permanent_address ?? nic.address;

export const mapNetconfig: Mapper = (document, context) => {
  const data = document.data as Record<string, NetInterface>;
  const { system, at } = context;
  const warnings: string[] = [];

  const candidates = new Map<string, string[]>(); // MAC → interfaces that could own it globally
  for (const [ifname, nic] of Object.entries(data)) {
    const mac = identityMac(nic);
    if (mac && nic.virtual !== true && isUniversalUnicastMac(mac)) {
      candidates.set(mac, [...(candidates.get(mac) ?? []), ifname]);
    }
  }
  const nicProps = (ifname: string, nic: NetInterface, scope: string, duplicate: boolean) => ({
    ifname,
    mac: nic.address,
    permanent_mac: nic.permanent_address,
    scope,
    duplicate_mac: duplicate ? true : null,
    vendor: nic.vendor,
    type: nic.type,
    kind: nic.kind,
    virtual: nic.virtual,
    driver: nic.driver,
    bus: nic.bus,
    bus_id: nic.bus_id,
    mtu: nic.mtu,
    speed: nic.speed,
    duplex: nic.duplex,
    carrier: nic.carrier,
    operstate: nic.operstate,
    admin_up: nic.admin_up,
    alias: nic.alias,
    link: nic.link,
    vlan_id: nic.vlan_id,
    master: nic.master?.name ?? null,
    default_gw: nic.default_gw,
  });

  const addresses: (Omit<AddressFacts, "nic"> & { ifname: string })[] = [];
  for (const [ifname, nic] of Object.entries(data)) {
    for (const [cidr, address] of Object.entries(nic.ipaddrs ?? {})) {
      const slash = cidr.lastIndexOf("/");
      const ip = canonicalIp(cidr.slice(0, slash));
      if (!ip || ip.any) {
        warnings.push(`netconfig ${ifname}: "${cidr}" is not a usable address; skipped`);
        continue;
      }
      addresses.push({
        ifname,
        ip: ipFacts(ip, system),
        props: {
          prefix_len: Number(cidr.slice(slash + 1)),
          kernel_scope: address.scope,
          label: address.name,
          dynamic: address.dynamic,
          broadcast: address.brd,
          peer: address.peer,
        },
      });
    }
  }

  const unreadAddresses = Object.values(data).some((nic) => nic.ipaddrs === null);
  if (unreadAddresses) {
    warnings.push("netconfig: addresses were not read on this host; the stored addresses are kept");
  }

  return {
    warnings,
    apply: async (tx) => {
      const globalKeys = [...candidates]
        .filter(([, names]) => names.length === 1)
        .map(([mac]) => globalNicKey(mac));
      const owners = await tx.nicOwners(globalKeys);
      const nicKeys = new Map<string, string>();
      const nics: NodeFacts[] = [];
      for (const [ifname, nic] of Object.entries(data)) {
        // Global only for the one interface that may own the MAC (a bond or VLAN shares its slave's).
        const mac = identityMac(nic) ?? "";
        const claim = candidates.get(mac);
        const unique = claim?.length === 1 && claim[0] === ifname;
        const others = unique ? (owners[globalNicKey(mac)] ?? []).filter((s) => s !== system) : [];
        const global = unique && others.length === 0;
        const key = global ? globalNicKey(mac) : scopedNicKey(system, ifname);
        nicKeys.set(ifname, key);
        nics.push({
          key,
          props: nicProps(ifname, nic, global ? "global" : "system", others.length > 0),
        });
      }
      await tx.replaceNics(system, nics, at);
      if (!unreadAddresses) {
        const facts = addresses.map(({ ifname, ...a }) => ({
          ...a,
          nic: nicKeys.get(ifname) ?? "",
        }));
        await tx.replaceAddresses(system, facts, at);
      }
      await tx.linkWiring(system, at);
      await tx.linkDependencies(system, at);
    },
  };
};
