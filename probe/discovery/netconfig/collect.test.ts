import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertValidDiscoveryDocument,
  InvalidDocumentError,
} from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover } from "../discover.js";
import { CommandError, type CommandRunner } from "../run-command.js";
import { IP_ADDRESS, IP_ROUTE_V4, IP_ROUTE_V6 } from "./collect.js";
import { netconfigAgent, summarizeNetconfig } from "./index.js";
import type { NetconfigData, NetInterface } from "./types.js";

const fixtures = join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(join(tmpdir(), "assim-netconfig-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Outputs = Partial<Record<"address" | "route4" | "route6", string | Error>>;

/** A runner that answers the three ip commands from a fixture directory (or the given outputs). */
function ipRunner(dir: string, outputs: Outputs = {}): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const answer = (key: keyof Outputs, file: string) => {
    const given = outputs[key];
    if (given instanceof Error) throw given;
    return { stdout: given ?? readFileSync(join(dir, file), "utf8"), stderr: "" };
  };
  const run = async (program: string, args: string[]) => {
    const line = [program, ...args].join(" ");
    calls.push(line);
    if (program !== "ip") throw new CommandError(line, "unexpected command");
    if (args.join(" ") === IP_ADDRESS.join(" ")) return answer("address", "ip-address.json");
    if (args.join(" ") === IP_ROUTE_V4.join(" ")) return answer("route4", "ip-route-4.json");
    if (args.join(" ") === IP_ROUTE_V6.join(" ")) return answer("route6", "ip-route-6.json");
    throw new CommandError(line, "unexpected arguments");
  };
  return Object.assign(run, { calls });
}

function contextFor(name: string, outputs: Outputs = {}, sysRoot?: string) {
  const dir = join(fixtures, name);
  const run = ipRunner(dir, outputs);
  const ctx: CollectContext = {
    hostname: `fixture-${name}`,
    procRoot: join(scratch, "no-proc"),
    sysRoot: sysRoot ?? join(dir, "sys"),
    fsRoot: join(scratch, "no-root"),
    run,
  };
  return { ctx, calls: run.calls };
}

function nic(data: NetconfigData, name: string): NetInterface {
  expect(Object.hasOwn(data, name), `interface ${name}`).toBe(true);
  return data[name] as NetInterface;
}

describe("netconfig on a server with a bond, a VLAN and physical NICs (hand-made fixture)", async () => {
  const { ctx } = contextFor("server");
  const document = await discover(netconfigAgent, ctx);
  const data = document.data;

  it("keys interfaces by name in ifindex order and validates", () => {
    expect(Object.keys(data)).toEqual([
      "lo",
      "eno1",
      "eno2",
      "eno3",
      "bond0",
      "bond0.100",
      "docker0",
      "wg0",
      "tun-ipip",
    ]);
    expect(document.discovertype).toBe("netconfig");
    expect(document.host).toBe("fixture-server");
    expect(document.errors).toEqual([]);
    expect(document.source).toContain("ip -j -d address show");
    expect(document.source).toContain(join(ctx.sysRoot, "class/net"));
  });

  it("gives the active bond slave its own MAC, maker, driver, bus and state in the bond", () => {
    expect(nic(data, "eno1")).toEqual({
      ifindex: 2,
      address: "00:1b:21:3a:4b:01",
      permanent_address: "00:1b:21:3a:4b:01",
      vendor: "Intel Corporate",
      carrier: true,
      duplex: "full",
      mtu: 1500,
      operstate: "up",
      admin_up: true,
      speed: 1000,
      type: "ether",
      kind: null,
      virtual: false,
      driver: "igb",
      bus: "pci",
      bus_id: "0000:03:00.0",
      altnames: ["enp3s0f0"],
      alias: null,
      link: null,
      vlan_id: null,
      master: { name: "bond0", kind: "bond", state: "active" },
      members: [],
      bond: null,
      default_gw: false,
      default_gateways: [],
      ipaddrs: {},
    });
  });

  it("keeps the backup slave's permanent MAC apart from the bond's, lowercased", () => {
    const eno2 = nic(data, "eno2");
    expect(eno2.address).toBe("00:1b:21:3a:4b:01");
    expect(eno2.permanent_address).toBe("00:1b:21:3a:4b:02");
    expect(eno2.master).toEqual({ name: "bond0", kind: "bond", state: "backup" });
  });

  it("reads a down NIC's missing speed, duplex and carrier as null, with no error", () => {
    const eno3 = nic(data, "eno3");
    expect(eno3).toMatchObject({
      operstate: "down",
      admin_up: false,
      carrier: null,
      duplex: null,
      speed: null,
      virtual: false,
      driver: "tg3",
      vendor: "Broadcom",
    });
  });

  it("describes the bond master with its mode and sorted members", () => {
    expect(nic(data, "bond0")).toMatchObject({
      kind: "bond",
      virtual: true,
      vendor: null,
      driver: null,
      members: ["eno1", "eno2"],
      bond: {
        mode: "active-backup",
        active_slave: "eno1",
        miimon: 100,
        xmit_hash_policy: "layer2",
      },
      master: null,
      default_gw: false,
    });
  });

  it("gives the VLAN its parent, id, alias, default gateways and canonical addresses", () => {
    const vlan = nic(data, "bond0.100");
    expect(vlan).toMatchObject({
      kind: "vlan",
      link: "bond0",
      vlan_id: 100,
      alias: "prod VLAN 100 (core-sw1 Po12)",
      default_gw: true,
      default_gateways: ["10.20.100.1", "fe80::1"],
    });
    expect(vlan.ipaddrs).toEqual({
      "10.20.100.15/24": {
        brd: "10.20.100.255",
        scope: "global",
        name: "bond0.100",
        peer: null,
        dynamic: false,
      },
      "10.20.100.16/24": {
        brd: "10.20.100.255",
        scope: "global",
        name: "bond0.100:vip",
        peer: null,
        dynamic: false,
      },
      "2001:db8:100::15/64": {
        brd: null,
        scope: "global",
        name: "bond0.100",
        peer: null,
        dynamic: false,
      },
      "2001:db8:100:0:21b:21ff:fe3a:4b01/64": {
        brd: null,
        scope: "global",
        name: "bond0.100",
        peer: null,
        dynamic: true,
      },
      "fe80::21b:21ff:fe3a:4b01/64": {
        brd: null,
        scope: "link",
        name: "bond0.100",
        peer: null,
        dynamic: false,
      },
    });
  });

  it("takes an IPv4 default route through an IPv6 next hop, and skips unreachable ones", () => {
    expect(nic(data, "wg0")).toMatchObject({
      address: null,
      type: "none",
      kind: "wireguard",
      default_gw: true,
      default_gateways: ["fe80::99"],
    });
  });

  it("gives tunnels without a MAC a null address and keeps the point-to-point peer", () => {
    const tunnel = nic(data, "tun-ipip");
    expect(tunnel).toMatchObject({ address: null, type: "ipip", kind: "ipip", speed: null });
    expect(tunnel.ipaddrs).toEqual({
      "10.98.0.1/32": {
        brd: null,
        scope: "global",
        name: "tun-ipip",
        peer: "10.98.0.2",
        dynamic: false,
      },
    });
  });

  it("summarizes interfaces and addresses", () => {
    expect(summarizeNetconfig(data)).toBe("9 interfaces (4 up), 10 addresses");
  });
});

describe("netconfig in a namespace with a bridge, veths, macvlan, vxlan, tap (captured)", async () => {
  const { ctx } = contextFor("netns");
  const document = await discover(netconfigAgent, ctx);
  const data = document.data;
  const captured = JSON.parse(readFileSync(join(fixtures, "netns/ip-address.json"), "utf8")) as {
    ifname: string;
    address: string;
    mtu: number;
  }[];

  it("lists every captured interface, odd names included, as own keys", () => {
    expect(Object.keys(data).sort()).toEqual(captured.map((link) => link.ifname).sort());
    expect(Object.keys(data)).toContain("__proto__");
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(nic(data, "__proto__").link).toBe("a.b");
    expect(nic(data, "ünï").link).toBe("we@ird.n");
    expect(document.errors).toEqual([]);
    for (const link of captured) {
      expect(nic(data, link.ifname).address).toBe(link.address);
      expect(nic(data, link.ifname).mtu).toBe(link.mtu);
    }
  });

  it("shows the bridge, its port and its alias", () => {
    expect(nic(data, "br0")).toMatchObject({
      kind: "bridge",
      members: ["veth0"],
      alias: 'uplink: rack 7 "A"',
      duplex: null,
      speed: 10000,
      carrier: true,
      virtual: true,
    });
    expect(nic(data, "veth0")).toMatchObject({
      kind: "veth",
      master: { name: "br0", kind: "bridge", state: "forwarding" },
      link: "veth1",
      speed: 10000,
      duplex: "full",
    });
  });

  it("reads down veths as null speed, duplex and carrier", () => {
    expect(nic(data, "vdown0")).toMatchObject({
      operstate: "down",
      admin_up: false,
      speed: null,
      duplex: null,
      carrier: null,
      kind: "veth",
    });
  });

  it("names macvlan, vxlan and tap kinds", () => {
    expect(nic(data, "mv0")).toMatchObject({ kind: "macvlan", link: "veth1" });
    expect(nic(data, "vx0").kind).toBe("vxlan");
    expect(nic(data, "tap0").kind).toBe("tun");
  });

  it("splits a multipath default route over its devices and keeps labels and peers", () => {
    expect(nic(data, "br0").default_gateways).toEqual(["10.213.0.254", "fd00:213::fe"]);
    expect(nic(data, "veth1").default_gateways).toEqual(["10.213.1.254"]);
    expect(nic(data, "we@ird.n").default_gateways).toEqual(["fe80::1"]);
    expect(nic(data, "mv0").default_gw).toBe(false);
    expect(nic(data, "br0").ipaddrs?.["10.213.0.9/24"]).toEqual({
      brd: "10.213.0.255",
      scope: "global",
      name: "br0:9",
      peer: null,
      dynamic: false,
    });
    expect(nic(data, "we@ird.n").ipaddrs?.["10.213.5.1/32"]?.peer).toBe("10.213.5.2");
  });
});

describe("netconfig on this machine's captured output", async () => {
  const { ctx } = contextFor("host");
  const { data, errors } = await netconfigAgent.collect(ctx);

  it("reads the virtio NIC as hardware with its driver, and ifb devices as virtual", () => {
    expect(errors).toEqual([]);
    expect(nic(data, "eth0")).toMatchObject({
      virtual: false,
      driver: "virtio_net",
      bus: "virtio",
      // 02:... is locally administered: no maker to look up.
      vendor: null,
      default_gw: true,
    });
    expect(nic(data, "lo")).toMatchObject({ type: "loopback", virtual: true, kind: null });
  });
});

describe("netconfig without iproute2", async () => {
  const { ctx, calls } = contextFor("server", {
    address: CommandError.notInstalled("ip -j -d address show"),
  });
  const document = await discover(netconfigAgent, ctx);
  const data = document.data;

  it("reads the interfaces from /sys, says addresses are unknown, and runs no route command", () => {
    expect(calls).toEqual(["ip -j -d address show"]);
    expect(document.errors).toEqual([
      {
        where: "ip -j -d address show",
        message: "iproute2 is not installed; interfaces read from /sys, without IP addresses",
      },
    ]);
    expect(Object.keys(data)).toEqual([
      "lo",
      "eno1",
      "eno2",
      "eno3",
      "bond0",
      "bond0.100",
      "docker0",
      "wg0",
      "tun-ipip",
    ]);
    expect(nic(data, "eno2")).toMatchObject({
      address: "00:1b:21:3a:4b:01",
      permanent_address: "00:1b:21:3a:4b:02",
      master: { name: "bond0", kind: "bond", state: null },
      vendor: "Intel Corporate",
      ipaddrs: null,
      default_gw: null,
      default_gateways: null,
    });
    expect(nic(data, "bond0")).toMatchObject({ kind: "bond", members: ["eno1", "eno2"] });
    expect(nic(data, "bond0.100").alias).toBe("prod VLAN 100 (core-sw1 Po12)");
    expect(nic(data, "wg0")).toMatchObject({ type: "none", address: null, admin_up: true });
    expect(nic(data, "tun-ipip")).toMatchObject({ type: "ipip", address: null });
    expect(nic(data, "lo")).toMatchObject({ type: "loopback", ifindex: 1, mtu: 65536 });
  });
});

describe("netconfig when parts fail", () => {
  it("gives null default gateways when a route command fails, and keeps the rest", async () => {
    const { ctx } = contextFor("server", {
      route6: new CommandError("ip -j -6 route show default", "exited with 1: RTNETLINK error"),
    });
    const { data, errors } = await netconfigAgent.collect(ctx);
    expect(errors).toEqual([
      {
        where: "ip -j -6 route show default",
        message: "ip -j -6 route show default: exited with 1: RTNETLINK error",
      },
    ]);
    expect(nic(data, "bond0.100")).toMatchObject({ default_gw: null, default_gateways: null });
    expect(Object.keys(nic(data, "bond0.100").ipaddrs ?? {})).toHaveLength(5);
  });

  it("takes a kernel without IPv6 as having no IPv6 default routes", async () => {
    const { ctx } = contextFor("server", {
      route6: new CommandError("ip", "exited with 2: Address family not supported by protocol"),
    });
    const { data, errors } = await netconfigAgent.collect(ctx);
    expect(errors).toEqual([]);
    expect(nic(data, "bond0.100").default_gateways).toEqual(["10.20.100.1"]);
  });

  it("falls back to /sys when ip prints no JSON, naming what went wrong", async () => {
    const { ctx } = contextFor("server", { address: 'Option "-j" is unknown, try "ip -help".\n' });
    const { data, errors } = await netconfigAgent.collect(ctx);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.where).toBe("ip -j -d address show");
    expect(nic(data, "eno1").ipaddrs).toBeNull();
  });

  it("reports an interface that vanished from /sys between ip and the read, without failing", async () => {
    const sys = join(scratch, "vanished-sys");
    cpSync(join(fixtures, "server/sys"), sys, { recursive: true, verbatimSymlinks: true });
    rmSync(join(sys, "class/net/docker0"), { recursive: true });
    const { ctx } = contextFor("server", {}, sys);
    const { data, errors } = await netconfigAgent.collect(ctx);
    expect(errors).toEqual([
      {
        where: join(sys, "class/net/docker0"),
        message: "interface not in /sys (removed while reading?)",
      },
    ]);
    expect(nic(data, "docker0")).toMatchObject({
      carrier: null,
      speed: null,
      virtual: null,
      mtu: 1500,
    });
  });

  it("skips hostile entries of ip's output with errors and keeps the good ones", async () => {
    const good = readFileSync(join(fixtures, "host/ip-address.json"), "utf8").trim().slice(1, -1);
    const hostile = `[${good},{"ifname":"evil\u0001name","ifindex":99},{"ifname":"../../etc","ifindex":98},{"ifindex":97},"junk",{"ifname":"okname","ifindex":"12","mtu":-5,"addr_info":[{"family":"inet","local":"300.1.1.1","prefixlen":24},{"family":"inet6","local":"fd00::1","prefixlen":200}]}]`;
    const { ctx } = contextFor("host", { address: hostile });
    const document = await discover(netconfigAgent, ctx);
    expect(Object.keys(document.data)).toEqual(["lo", "ifb0", "ifb1", "eth0", "okname"]);
    expect(nic(document.data, "okname")).toMatchObject({ ifindex: null, mtu: null, ipaddrs: {} });
    const entry = (n: number) => `ip -j -d address show: entry ${n}`;
    expect(document.errors).toEqual([
      {
        where: entry(4),
        message: 'interface name "evil\\u0001name" holds control characters; skipped',
      },
      {
        where: entry(5),
        message: `interface name "../../etc" holds '/', ':' or white space; skipped`,
      },
      { where: entry(6), message: "no ifname; skipped" },
      { where: entry(7), message: "not an object; skipped" },
      {
        where: entry(8),
        message: 'field "ifindex" is not an integer from 1 to 2147483647; ignored',
      },
      { where: entry(8), message: 'field "mtu" is not an integer from 0 to 4294967295; ignored' },
      {
        where: `${entry(8)} ("okname") addr_info 0`,
        message: 'local "300.1.1.1" is not an ipv4 address',
      },
      {
        where: `${entry(8)} ("okname") addr_info 1`,
        message: "fd00::1 has no valid prefixlen; skipped",
      },
      {
        where: join(ctx.sysRoot, "class/net/okname"),
        message: "interface not in /sys (removed while reading?)",
      },
    ]);
  });

  it("documents with an invalid field fail the schema", async () => {
    const { ctx } = contextFor("server");
    const document = await discover(netconfigAgent, ctx);
    const broken = structuredClone(document) as unknown as {
      data: Record<string, Record<string, unknown>>;
    };
    (broken.data.eno1 as Record<string, unknown>).speed = "1000";
    expect(() => assertValidDiscoveryDocument(broken)).toThrow(InvalidDocumentError);
    expect(() => assertValidDiscoveryDocument(broken)).toThrow(/\/data\/eno1\/speed/);
    const badKey = structuredClone(document) as unknown as {
      data: Record<string, Record<string, unknown>>;
    };
    (badKey.data["bond0.100"] as { ipaddrs: Record<string, unknown> }).ipaddrs["10.0.0.1"] = {
      brd: null,
      scope: "global",
      name: "x",
      peer: null,
      dynamic: false,
    };
    expect(() => assertValidDiscoveryDocument(badKey)).toThrow(InvalidDocumentError);
    const badMac = structuredClone(document) as unknown as {
      data: Record<string, Record<string, unknown>>;
    };
    (badMac.data.eno1 as Record<string, unknown>).address = "00:1B:21:3A:4B:01";
    expect(() => assertValidDiscoveryDocument(badMac)).toThrow(/address/);
  });
});
