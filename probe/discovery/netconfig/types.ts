/** Operational state as the kernel names it (RFC 2863), lowercase as /sys prints it. */
export const OPERSTATES = [
  "unknown",
  "notpresent",
  "down",
  "lowerlayerdown",
  "testing",
  "dormant",
  "up",
] as const;
export type Operstate = (typeof OPERSTATES)[number];

/** One address of an interface, keyed by "<address>/<prefix length>" in `ipaddrs`. */
export interface IpAddress {
  /** IPv4 broadcast address; null for IPv6 and for addresses without one. */
  brd: string | null;
  /** "global", "link", "host", "site" or "nowhere" (or the kernel's number for others). */
  scope: string;
  /** The address label (IPv4 aliases such as "eth0:1"); the interface name otherwise. */
  name: string;
  /** The far end of a point-to-point address ("peer"); null otherwise. */
  peer: string | null;
  /** Handed out by DHCP or SLAAC and expiring, rather than configured for good. */
  dynamic: boolean;
}

/** The interface this one is enslaved to: a bridge, bond, team, VRF or Open vSwitch. */
export interface MasterLink {
  name: string;
  /** "bridge", "bond", "team", "vrf", "openvswitch", ...; null when the kernel did not say. */
  kind: string | null;
  /** Port state in the master: a bridge port's STP state, a bond slave's "active"/"backup". */
  state: string | null;
}

/** Settings of a bond master. */
export interface BondSettings {
  mode: string | null;
  active_slave: string | null;
  miimon: number | null;
  xmit_hash_policy: string | null;
}

export interface NetInterface {
  ifindex: number | null;
  /** Link-layer (MAC) address; null for interfaces without one (tun, wireguard, ipip). */
  address: string | null;
  /** A bond slave's own MAC (the bond rewrites `address`); null otherwise. */
  permanent_address: string | null;
  /** Maker of a physical NIC, from the IEEE OUI registry; null for virtual and local MACs. */
  vendor: string | null;
  carrier: boolean | null;
  duplex: "full" | "half" | null;
  mtu: number | null;
  operstate: Operstate;
  /** Administratively up (`ip link set ... up`), whatever the link state. */
  admin_up: boolean | null;
  /** Link speed in Mb/s; null when down or unknown. */
  speed: number | null;
  /** Link type as iproute2 names it: "ether", "loopback", "none", "ipip", ... */
  type: string | null;
  /** Virtual device kind: "veth", "bridge", "bond", "vlan", "tun", ...; null for NICs and lo. */
  kind: string | null;
  /** No hardware device behind it in /sys; null when /sys could not tell. */
  virtual: boolean | null;
  /** Kernel driver of the hardware device ("ixgbe", "virtio_net"); null for virtual devices. */
  driver: string | null;
  /** Bus of the hardware device ("pci", "usb", "virtio") and its address on it. */
  bus: string | null;
  bus_id: string | null;
  /** Alternative names (predictable names such as "enp3s0f0" kept beside "eth0"). */
  altnames: string[];
  /** The administrator's description (`ip link set ... alias`). */
  alias: string | null;
  /** The lower device: a VLAN's parent, a veth's peer (when in this namespace). */
  link: string | null;
  vlan_id: number | null;
  master: MasterLink | null;
  /** Interfaces enslaved to this one (bridge ports, bond slaves), sorted. */
  members: string[];
  bond: BondSettings | null;
  /** This interface carries a default route (IPv4 or IPv6, main table); null if routes were not read. */
  default_gw: boolean | null;
  /** Gateway addresses of those default routes; null if routes were not read. */
  default_gateways: string[] | null;
  /** Addresses keyed by CIDR; null when addresses could not be read (no iproute2). */
  ipaddrs: Record<string, IpAddress> | null;
}

/** Keyed by interface name, in ifindex order. */
export type NetconfigData = Record<string, NetInterface>;

/**
 * What is known of one interface before /sys, routes and the OUI registry are
 * added: read from `ip -j -d address show`, or from /sys alone without iproute2.
 */
export interface LinkFacts {
  name: string;
  ifindex: number | null;
  address: string | null;
  permanentAddress: string | null;
  mtu: number | null;
  operstate: Operstate;
  adminUp: boolean | null;
  type: string | null;
  kind: string | null;
  bus: string | null;
  busId: string | null;
  altnames: string[];
  alias: string | null;
  link: string | null;
  vlanId: number | null;
  master: MasterLink | null;
  bond: BondSettings | null;
  ipaddrs: Record<string, IpAddress> | null;
}
