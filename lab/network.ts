/**
 * Builds the lab's network from its plan: namespaces (IPv6 off, loopback up),
 * the CMA's core bridge, one bridge per switch uplinked to the core, and one
 * veth "cable" per host from its eth0 to a port of its switch. Each
 * namespace and link is recorded in the state file before it is created.
 */
import { execIn, ip, ipIn } from "./netns.js";
import type { LabState, LinkRecord } from "./state.js";

export type Progress = (line: string) => void;

function addNamespace(state: LabState, save: () => void, ns: string): void {
  if (!state.namespaces.includes(ns)) state.namespaces.push(ns);
  save();
  ip("netns", "add", ns);
  // The kernel's IPv6 chatter (router solicitations, DAD) would be the only
  // traffic besides the lab's own: off, before any interface arrives.
  execIn(ns, "sysctl", ["-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
  execIn(ns, "sysctl", ["-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"]);
  ipIn(ns, "link", "set", "lo", "up");
}

function addVeth(state: LabState, save: () => void, link: LinkRecord): void {
  state.links.push(link);
  save();
  ip(
    "link",
    "add",
    link.name,
    "netns",
    link.ns,
    "type",
    "veth",
    "peer",
    "name",
    link.peer,
    "netns",
    link.peerNs,
  );
}

function addBridge(ns: string, bridge: string): void {
  // No STP: ports forward at once, as an unmanaged switch's would.
  ipIn(ns, "link", "add", bridge, "type", "bridge", "stp_state", "0");
}

export function buildNetwork(state: LabState, save: () => void, progress: Progress): void {
  const { cma, switches, hosts, prefixLength } = state.topology;
  const all = [cma.ns, ...switches.map((s) => s.ns), ...hosts.map((h) => h.ns)];
  progress(`creating ${all.length} namespaces`);
  for (const ns of all) addNamespace(state, save, ns);

  addBridge(cma.ns, cma.bridge);
  ipIn(cma.ns, "addr", "add", `${cma.address}/${prefixLength}`, "dev", cma.bridge);
  ipIn(cma.ns, "link", "set", cma.bridge, "up");

  progress(
    `wiring ${switches.length} switch${switches.length === 1 ? "" : "es"} to the core bridge`,
  );
  for (const sw of switches) {
    addBridge(sw.ns, sw.bridge);
    addVeth(state, save, { ns: sw.ns, name: sw.uplink, peerNs: cma.ns, peer: sw.corePort });
    ipIn(sw.ns, "link", "set", sw.uplink, "master", sw.bridge, "up");
    ipIn(cma.ns, "link", "set", sw.corePort, "master", cma.bridge, "up");
    ipIn(sw.ns, "addr", "add", `${sw.address}/${prefixLength}`, "dev", sw.bridge);
    ipIn(sw.ns, "link", "set", sw.bridge, "up");
  }

  progress(`cabling ${hosts.length} host${hosts.length === 1 ? "" : "s"} to their switch ports`);
  for (const host of hosts) {
    const sw = switches.find((s) => s.name === host.switch);
    if (!sw) throw new Error(`${host.name}: no switch ${host.switch} in the plan`);
    addVeth(state, save, { ns: host.ns, name: host.iface, peerNs: sw.ns, peer: host.port });
    ipIn(sw.ns, "link", "set", host.port, "master", sw.bridge, "up");
    ipIn(host.ns, "addr", "add", `${host.address}/${prefixLength}`, "dev", host.iface);
    ipIn(host.ns, "link", "set", host.iface, "up");
  }
}

/** Brings a switch's bridge down (its hosts are cut off from everything) or back up. */
export function setBridge(ns: string, bridge: string, up: boolean): void {
  ipIn(ns, "link", "set", bridge, up ? "up" : "down");
}

/** Whether the interface is administratively up; undefined when it (or ns) does not exist. */
export function linkIsUp(ns: string, iface: string): boolean | undefined {
  try {
    const [link] = JSON.parse(ipIn(ns, "-j", "link", "show", "dev", iface)) as {
      flags?: string[];
    }[];
    return link?.flags?.includes("UP");
  } catch {
    return undefined;
  }
}
