/**
 * Live accuracy of netconfig (and arpcache): the documents must agree with
 * `ip -j addr` / `ip -j neigh` on this machine: same interfaces, MACs, MTUs,
 * and addresses with their prefix lengths. As root, a namespace built here
 * (bridge, veth pairs, one down, an odd name, default routes, neighbour
 * entries; addresses 10.213.x.y and fd00:213:...) is described by the built
 * CLI run inside it; nothing is sent anywhere. `npm test` builds dist/ first.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arpcacheAgent } from "../probe/discovery/arpcache/index.js";
import type { ArpcacheData } from "../probe/discovery/arpcache/types.js";
import { discover, liveContext } from "../probe/discovery/discover.js";
import { netconfigAgent } from "../probe/discovery/netconfig/index.js";
import type { NetconfigData, NetInterface } from "../probe/discovery/netconfig/types.js";
import {
  assertValidDiscoveryDocument,
  type DiscoveryDocument,
} from "../protocol/discovery-document.js";
import { assimBin } from "./support/cli.js";
import { canCreateNamespaces, Namespace, uniqueName } from "./support/netns.js";

const ipWorks = (() => {
  const probe = spawnSync("ip", ["-j", "link", "show", "lo"], { encoding: "utf8" });
  return !probe.error && probe.status === 0 && probe.stdout.trim().startsWith("[");
})();
const liveSkip =
  process.platform !== "linux"
    ? "not Linux"
    : !ipWorks
      ? "`ip -j` (iproute2 with JSON output) is not available"
      : "";
const namespaces = canCreateNamespaces();
const namespaceSkip = liveSkip || (namespaces.ok ? "" : namespaces.reason);
if (liveSkip) console.warn(`netconfig accuracy test skipped: ${liveSkip}`);
else if (namespaceSkip) console.warn(`netconfig namespace test skipped: ${namespaceSkip}`);

interface IpLink {
  ifname: string;
  address?: string;
  mtu: number;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

interface IpNeighbour {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
}

function ipJson<T>(args: string[]): T {
  return JSON.parse(execFileSync("ip", ["-j", ...args], { encoding: "utf8" })) as T;
}

const canonical = (ip: string) => ipaddr.parse(ip).toString();
const isMac = (text: string | undefined) =>
  text !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(text);

/** What `ip -j addr` says, in the document's terms: name -> MAC, MTU, CIDRs. */
function expectedInterfaces(links: IpLink[]) {
  return Object.fromEntries(
    links.map((link) => [
      link.ifname,
      {
        address: isMac(link.address) ? (link.address as string).toLowerCase() : null,
        mtu: link.mtu,
        cidrs: link.addr_info
          .filter((a) => a.family === "inet" || a.family === "inet6")
          .map((a) => `${canonical(a.local)}/${a.prefixlen}`)
          .sort(),
      },
    ]),
  );
}

function documentInterfaces(data: NetconfigData) {
  return Object.fromEntries(
    Object.entries(data).map(([name, nic]) => [
      name,
      { address: nic.address, mtu: nic.mtu, cidrs: Object.keys(nic.ipaddrs ?? {}).sort() },
    ]),
  );
}

/** The resolved entries of `ip -j neigh`, as dev -> ip -> mac. */
function expectedNeighbours(rows: IpNeighbour[]) {
  const table: Record<string, Record<string, string>> = {};
  for (const row of rows) {
    const states = row.state ?? [];
    if (states.includes("FAILED") || states.includes("INCOMPLETE")) continue;
    if (!isMac(row.lladdr) || /^[0:]+$/.test(row.lladdr as string)) continue;
    const ip = ipaddr.parse(row.dst);
    if (ip.range() === "multicast") continue;
    const device = table[row.dev] ?? {};
    device[canonical(row.dst)] = (row.lladdr as string).toLowerCase();
    table[row.dev] = device;
  }
  return table;
}

function documentNeighbours(data: ArpcacheData) {
  return Object.fromEntries(
    Object.entries(data).map(([dev, table]) => [
      dev,
      Object.fromEntries(Object.entries(table).map(([ip, n]) => [ip, n.mac])),
    ]),
  );
}

/**
 * Runs read() between two looks at the truth, until both looks agree (other
 * tests may add or remove interfaces meanwhile); gives the document and truth.
 */
async function consistently<D, T>(read: () => Promise<D>, truth: () => T) {
  for (let attempt = 1; ; attempt++) {
    const before = truth();
    const document = await read();
    const after = truth();
    if (JSON.stringify(before) === JSON.stringify(after) || attempt === 5) {
      return { document, truth: after };
    }
  }
}

describe.skipIf(liveSkip !== "")("netconfig and arpcache against ip -j on this machine", () => {
  it("has the same interfaces, MACs, MTUs and addresses with prefix lengths as ip -j addr", async () => {
    const { document, truth } = await consistently(
      () => discover(netconfigAgent, liveContext()),
      () => expectedInterfaces(ipJson<IpLink[]>(["addr"])),
    );
    expect(Object.keys(document.data).sort()).toEqual(Object.keys(truth).sort());
    expect(documentInterfaces(document.data)).toEqual(truth);
    expect(Object.keys(truth).length).toBeGreaterThan(0);
  });

  it("has the same resolved neighbours as ip -j neigh", async () => {
    const { document, truth } = await consistently(
      () => discover(arpcacheAgent, liveContext()),
      () => expectedNeighbours(ipJson<IpNeighbour[]>(["neigh"])),
    );
    expect(documentNeighbours(document.data)).toEqual(truth);
  });
});

describe.skipIf(namespaceSkip !== "")("netconfig and arpcache inside a test namespace", () => {
  let ns: Namespace;
  const bridge = uniqueName("nbr");
  const [upA, upB] = [uniqueName("nva"), uniqueName("nvb")];
  const [downC, downD] = [uniqueName("nvc"), uniqueName("nvd")];
  // Dots, "@" and unicode are all legal in interface names (15 bytes at most).
  const odd = `ü.@${uniqueName("")}`.slice(0, 12);
  let netconfig: DiscoveryDocument<NetconfigData>;
  let arpcache: DiscoveryDocument<ArpcacheData>;

  beforeAll(() => {
    if (!existsSync(assimBin)) throw new Error(`${assimBin} is missing`);
    ns = Namespace.create("anc", { ipv6: true });
    ns.ip("link", "add", bridge, "type", "bridge");
    ns.ip("link", "add", upA, "type", "veth", "peer", "name", upB);
    ns.ip("link", "add", downC, "type", "veth", "peer", "name", downD);
    ns.ip("link", "add", odd, "type", "bridge");
    ns.ip("link", "set", upB, "master", bridge);
    for (const name of [bridge, upA, upB]) ns.ip("link", "set", name, "up");
    ns.ip("addr", "add", "10.213.1.1/24", "brd", "+", "dev", upA);
    ns.ip("addr", "add", "fd00:213:1::1/64", "dev", upA, "nodad");
    ns.ip("addr", "add", "10.213.2.1/24", "dev", bridge);
    ns.ip("addr", "add", "10.213.3.1/24", "dev", downC);
    ns.ip("route", "add", "default", "via", "10.213.1.254", "dev", upA);
    ns.ip("-6", "route", "add", "default", "via", "fd00:213:1::fe", "dev", upA);
    ns.ip(
      "neigh",
      "add",
      "10.213.1.7",
      "lladdr",
      "02:00:00:00:02:13",
      "dev",
      upA,
      "nud",
      "permanent",
    );
    ns.ip(
      "neigh",
      "add",
      "fd00:213:1::7",
      "lladdr",
      "02:00:00:00:02:14",
      "dev",
      upA,
      "nud",
      "permanent",
    );
    ns.ip("neigh", "add", "10.213.1.8", "lladdr", "02:00:00:00:02:15", "dev", upA, "nud", "stale");
    // Unresolved entries go on the down interface, so the kernel sends no ARP request for them.
    ns.ip("neigh", "add", "10.213.3.9", "dev", downC, "nud", "incomplete");
    ns.ip("neigh", "add", "10.213.3.10", "dev", downC, "nud", "failed");
    ns.ip(
      "neigh",
      "add",
      "10.213.3.11",
      "lladdr",
      "02:00:00:00:03:11",
      "dev",
      downC,
      "nud",
      "permanent",
    );

    const output = ns.exec(process.execPath, [assimBin, "discover", "netconfig", "arpcache"]);
    const documents = output
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as DiscoveryDocument);
    for (const document of documents) assertValidDiscoveryDocument(document);
    netconfig = documents.find((d) => d.discovertype === "netconfig") as typeof netconfig;
    arpcache = documents.find((d) => d.discovertype === "arpcache") as typeof arpcache;
  });

  afterAll(() => ns?.remove());

  const nic = (name: string): NetInterface => {
    expect(Object.hasOwn(netconfig.data, name), `interface ${name}`).toBe(true);
    return netconfig.data[name] as NetInterface;
  };

  it("agrees with ip -j addr inside the namespace, odd name included", () => {
    const truth = expectedInterfaces(JSON.parse(ns.ip("-j", "addr")) as IpLink[]);
    expect(documentInterfaces(netconfig.data)).toEqual(truth);
    expect(Object.keys(netconfig.data).sort()).toEqual(
      ["lo", bridge, upA, upB, downC, downD, odd].sort(),
    );
    expect(netconfig.errors).toEqual([]);
  });

  it("shows the bridge port, the bridge's members and veth peers", () => {
    expect(nic(upB)).toMatchObject({
      kind: "veth",
      link: upA,
      master: { name: bridge, kind: "bridge" },
      virtual: true,
    });
    expect(nic(bridge)).toMatchObject({ kind: "bridge", members: [upB], master: null });
    expect(nic(upA).link).toBe(upB);
    expect(nic(odd)).toMatchObject({ kind: "bridge", members: [] });
  });

  it("gives the down veth null speed, duplex and carrier, and the up one a speed", () => {
    expect(nic(downC)).toMatchObject({
      operstate: "down",
      admin_up: false,
      speed: null,
      duplex: null,
      carrier: null,
    });
    expect(nic(upA).operstate).toBe("up");
    expect(nic(upA).carrier).toBe(true);
    expect(nic(upA).speed).toBeGreaterThan(0);
  });

  it("finds the default routes' gateways and the addresses' details", () => {
    expect(nic(upA)).toMatchObject({
      default_gw: true,
      default_gateways: ["10.213.1.254", "fd00:213:1::fe"],
    });
    expect(nic(bridge).default_gw).toBe(false);
    expect(nic(upA).ipaddrs?.["10.213.1.1/24"]).toEqual({
      brd: "10.213.1.255",
      scope: "global",
      name: upA,
      peer: null,
      dynamic: false,
    });
    expect(nic(upA).ipaddrs?.["fd00:213:1::1/64"]).toMatchObject({ brd: null, scope: "global" });
  });

  it("lists the permanent and stale neighbours, not the incomplete or failed ones", () => {
    expect(arpcache.data[upA]).toEqual({
      "10.213.1.7": { mac: "02:00:00:00:02:13", state: "PERMANENT", router: false },
      "10.213.1.8": { mac: "02:00:00:00:02:15", state: "STALE", router: false },
      "fd00:213:1::7": { mac: "02:00:00:00:02:14", state: "PERMANENT", router: false },
    });
    expect(arpcache.data[downC]).toEqual({
      "10.213.3.11": { mac: "02:00:00:00:03:11", state: "PERMANENT", router: false },
    });
    const truth = expectedNeighbours(JSON.parse(ns.ip("-j", "neigh")) as IpNeighbour[]);
    expect(documentNeighbours(arpcache.data)).toEqual(truth);
  });
});
