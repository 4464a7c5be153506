import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertValidDiscoveryDocument,
  InvalidDocumentError,
} from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover } from "../discover.js";
import { CommandError } from "../run-command.js";
import { IP_NEIGH } from "./collect.js";
import { arpcacheAgent, summarizeArpcache } from "./index.js";

const fixtures = join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(join(tmpdir(), "assim-arpcache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A context whose `ip -j neigh show` prints the fixture (or fails), with /proc/net/arp beside it. */
function contextFor(name: string, ipOutput?: string | Error): CollectContext {
  const procRoot = join(scratch, name, "proc");
  mkdirSync(join(procRoot, "net"), { recursive: true });
  writeFileSync(join(procRoot, "net/arp"), readFileSync(join(fixtures, name, "proc-net-arp")));
  return {
    hostname: `fixture-${name}`,
    procRoot,
    sysRoot: join(scratch, "no-sys"),
    fsRoot: join(scratch, "no-root"),
    run: async (program, args) => {
      const line = [program, ...args].join(" ");
      if (program !== "ip" || args.join(" ") !== IP_NEIGH.join(" ")) {
        throw new CommandError(line, "unexpected command");
      }
      if (ipOutput instanceof Error) throw ipOutput;
      return {
        stdout: ipOutput ?? readFileSync(join(fixtures, name, "ip-neigh.json"), "utf8"),
        stderr: "",
      };
    },
  };
}

describe("arpcache from ip -j neigh on a busy host (hand-made fixture)", async () => {
  const document = await discover(arpcacheAgent, contextFor("router"));
  const data = document.data;

  it("keys neighbours by interface (sorted), then IP (IPv4 first, numeric order)", () => {
    expect(Object.keys(data)).toEqual(["__proto__", "bond0.100", "docker0", "ünï"]);
    expect(Object.keys(data["bond0.100"] ?? {})).toEqual([
      "10.20.100.1",
      "10.20.100.2",
      "10.20.100.3",
      "10.20.100.8",
      "10.20.100.10",
      "10.20.100.99",
      "2001:db8:100::1",
      "2001:db8:100::20",
      "fe80::1",
    ]);
    expect(document.source).toBe("ip -j neigh show");
    expect(document.errors).toEqual([]);
  });

  it("gives each entry a lowercase MAC, the kernel's state and the router flag", () => {
    const vlan = data["bond0.100"] ?? {};
    expect(vlan["10.20.100.1"]).toEqual({
      mac: "00:00:0c:9f:f0:64",
      state: "REACHABLE",
      router: false,
    });
    expect(vlan["10.20.100.99"]).toEqual({
      mac: "00:50:56:01:02:03",
      state: "PERMANENT",
      router: false,
    });
    expect(vlan["fe80::1"]).toEqual({ mac: "00:00:0c:9f:f0:64", state: "REACHABLE", router: true });
    expect(vlan["2001:db8:100::20"]?.router).toBe(false);
    expect(vlan["10.20.100.8"]?.state).toBe("STALE,PROXY");
  });

  it("leaves out FAILED, INCOMPLETE, MAC-less, zero-MAC and multicast entries", () => {
    const vlan = data["bond0.100"] ?? {};
    for (const ip of ["10.20.100.4", "10.20.100.5", "10.20.100.6", "10.20.100.7", "224.0.0.251"]) {
      expect(Object.hasOwn(vlan, ip), ip).toBe(false);
    }
    expect(Object.hasOwn(vlan, "ff02::fb")).toBe(false);
    expect(Object.hasOwn(data, "wg0")).toBe(false);
    expect(Object.hasOwn(data, "tun-ipip")).toBe(false);
  });

  it("keeps an interface called __proto__ as an ordinary key", () => {
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(data, "__proto__")?.value).toEqual({
      "10.20.200.1": { mac: "00:1b:21:aa:02:01", state: "REACHABLE", router: false },
    });
  });

  it("summarizes", () => {
    expect(summarizeArpcache(data)).toBe("13 neighbours (9 IPv4, 4 IPv6) on 4 interfaces");
  });
});

describe("arpcache from captured tables", () => {
  it("reads this machine's table: the STALE gateway, not the FAILED IPv6 one", async () => {
    const document = await discover(arpcacheAgent, contextFor("host"));
    expect(document.data).toEqual({
      eth0: { "192.0.2.1": { mac: "02:fc:00:00:00:05", state: "STALE", router: false } },
    });
  });

  it("reads a namespace's permanent, stale and router entries, odd names included", async () => {
    const document = await discover(arpcacheAgent, contextFor("netns"));
    expect(document.data).toEqual({
      br0: {
        "10.213.0.50": { mac: "00:00:5e:00:53:32", state: "STALE", router: false },
        "10.213.0.254": { mac: "00:1b:21:aa:bb:cc", state: "PERMANENT", router: false },
        "fd00:213::fe": { mac: "00:1b:21:aa:bb:cd", state: "STALE", router: true },
      },
      vdown0: { "10.213.9.11": { mac: "02:00:00:00:09:11", state: "PERMANENT", router: false } },
      "we@ird.n": { "fe80::1": { mac: "02:00:00:00:05:01", state: "REACHABLE", router: true } },
    });
    expect(document.errors).toEqual([]);
  });
});

describe("arpcache without iproute2", () => {
  it("reads IPv4 from /proc/net/arp and says IPv6 was not read", async () => {
    const ctx = contextFor("router", CommandError.notInstalled("ip -j neigh show"));
    const document = await discover(arpcacheAgent, ctx);
    const path = join(ctx.procRoot, "net/arp");
    expect(document.source).toBe(path);
    expect(document.data).toEqual({
      "bond0.100": {
        "10.20.100.1": { mac: "00:00:0c:9f:f0:64", state: null, router: false },
        "10.20.100.2": { mac: "00:1b:21:aa:00:02", state: null, router: false },
        "10.20.100.99": { mac: "00:50:56:01:02:03", state: "PERMANENT", router: false },
      },
      docker0: { "172.17.0.2": { mac: "02:42:ac:11:00:02", state: null, router: false } },
    });
    expect(document.errors).toEqual([
      {
        where: "ip -j neigh show",
        message:
          "iproute2 is not installed; IPv4 entries read from /proc/net/arp, IPv6 neighbours not read",
      },
      { where: `${path}:8`, message: "expected 6 fields, found 4" },
      { where: `${path}:9`, message: '"10.20.100.300" is not an IPv4 address' },
      { where: `${path}:10`, message: 'flags "0xZZ" are not hexadecimal' },
    ]);
  });

  it("falls back to /proc/net/arp when ip prints no JSON", async () => {
    const ctx = contextFor("host", 'Option "-j" is unknown, try "ip -help".\n');
    const { data, errors, source } = await arpcacheAgent.collect(ctx);
    expect(source).toBe(join(ctx.procRoot, "net/arp"));
    expect(data).toEqual({
      eth0: { "192.0.2.1": { mac: "02:fc:00:00:00:05", state: null, router: false } },
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.where).toBe("ip -j neigh show");
  });

  it("gives an empty table and an error when neither source can be read", async () => {
    const ctx = contextFor("host", new CommandError("ip -j neigh show", "exited with 1"));
    rmSync(join(ctx.procRoot, "net/arp"));
    const { data, errors } = await arpcacheAgent.collect(ctx);
    expect(data).toEqual({});
    expect(errors.map((e) => e.where)).toEqual(["ip -j neigh show", join(ctx.procRoot, "net/arp")]);
    expect(errors[1]?.message).toMatch(/^ENOENT/);
  });
});

describe("arpcache on hostile input", () => {
  it("skips bad entries with errors, keeps the good ones, and reports repeats", async () => {
    const rows = [
      { dst: "10.0.0.1", dev: "eth0", lladdr: "00:1b:21:00:00:01", state: ["REACHABLE"] },
      { dst: "10.0.0.1", dev: "eth0", lladdr: "00:1b:21:00:00:99", state: ["STALE"] },
      { dst: "10.0.0.1", dev: "eth1", lladdr: "00:1b:21:00:00:02", state: ["REACHABLE"] },
      { dst: "not-an-ip", dev: "eth0", lladdr: "00:1b:21:00:00:03", state: ["STALE"] },
      { dst: "10.0.0.4", lladdr: "00:1b:21:00:00:04", state: ["STALE"] },
      { dst: "10.0.0.5", dev: "a/b", lladdr: "00:1b:21:00:00:05", state: ["STALE"] },
      { dst: "10.0.0.6", dev: "eth0", lladdr: "00:1b:21:00:00:06", state: "STALE" },
      42,
    ];
    const text = JSON.stringify(rows).replace("eth1", "e\u0001h1");
    const document = await discover(arpcacheAgent, contextFor("host", text));
    expect(document.data).toEqual({
      eth0: {
        "10.0.0.1": { mac: "00:1b:21:00:00:01", state: "REACHABLE", router: false },
        "10.0.0.6": { mac: "00:1b:21:00:00:06", state: null, router: false },
      },
    });
    const at = (n: number) => `ip -j neigh show: entry ${n}`;
    expect(document.errors).toEqual([
      { where: at(2), message: 'dev "e\\u0001h1" holds control characters; skipped' },
      { where: at(3), message: 'dst "not-an-ip" is not an IP address; skipped' },
      { where: at(4), message: "dev is missing; skipped" },
      { where: at(5), message: `dev "a/b" holds '/', ':' or white space; skipped` },
      { where: at(6), message: 'field "state" is not a list of strings; ignored' },
      { where: at(7), message: "not an object; skipped" },
      { where: "ip -j neigh show", message: '10.0.0.1 on "eth0" listed twice; first kept' },
    ]);
  });

  it("documents with a malformed entry fail the schema", async () => {
    const document = await discover(arpcacheAgent, contextFor("host"));
    const upperMac = structuredClone(document);
    (upperMac.data.eth0 as Record<string, { mac: string }>)["192.0.2.1"] = {
      mac: "02:FC:00:00:00:05",
    };
    expect(() => assertValidDiscoveryDocument(upperMac)).toThrow(InvalidDocumentError);
    const badIp = structuredClone(document);
    (badIp.data.eth0 as Record<string, unknown>)["192.0.2.999"] = {
      mac: "02:fc:00:00:00:05",
      state: "STALE",
      router: false,
    };
    expect(() => assertValidDiscoveryDocument(badIp)).toThrow(InvalidDocumentError);
    const extra = structuredClone(document);
    (extra.data.eth0 as Record<string, unknown>)["192.0.2.1"] = {
      mac: "02:fc:00:00:00:05",
      state: "STALE",
      router: "no",
    };
    expect(() => assertValidDiscoveryDocument(extra)).toThrow(/router/);
  });
});
