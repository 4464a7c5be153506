import { describe, expect, it } from "vitest";
import {
  checkSubnet,
  LabOptionError,
  labNamespacePattern,
  machineIdFor,
  planTopology,
} from "./topology.js";

const plan = (overrides: Partial<Parameters<typeof planTopology>[0]> = {}) =>
  planTopology({ name: "assim", hosts: 6, switches: 2, subnet: "10.250.0.0/24", ...overrides });

describe("the lab's plan", () => {
  it("spreads hosts over switches round-robin, with their addresses, ports and namespaces", () => {
    const topology = plan();
    expect(topology.cma).toEqual({ ns: "assim-cma", address: "10.250.0.1", bridge: "core" });
    expect(topology.switches.map((s) => [s.name, s.ns, s.address, s.hosts])).toEqual([
      ["sw1", "assim-sw1", "10.250.0.201", ["h1", "h3", "h5"]],
      ["sw2", "assim-sw2", "10.250.0.202", ["h2", "h4", "h6"]],
    ]);
    expect(topology.hosts[2]).toMatchObject({
      name: "h3",
      ns: "assim-h3",
      address: "10.250.0.13",
      iface: "eth0",
      switch: "sw1",
      port: "swp3",
    });
  });

  it("keeps every interface name within 15 characters at the largest size", () => {
    const topology = plan({ name: "a-rather-long-lab-name", hosts: 64, switches: 8 });
    const names = [
      topology.cma.bridge,
      ...topology.switches.flatMap((s) => [s.bridge, s.uplink, s.corePort]),
      ...topology.hosts.flatMap((h) => [h.iface, h.port]),
    ];
    for (const name of names) expect(name.length).toBeLessThanOrEqual(15);
    expect(topology.hosts.at(-1)).toMatchObject({ address: "10.250.0.74", switch: "sw8" });
  });

  it("gives each host a machine id of 32 lowercase hex digits, stable per lab name and host", () => {
    const ids = plan().hosts.map((h) => h.machineId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(plan().hosts.map((h) => h.machineId)).toEqual(ids);
    expect(machineIdFor("other", "h1")).not.toBe(ids[0]);
  });

  it("places addresses inside wider subnets too", () => {
    const topology = plan({ subnet: "172.16.0.0/16" });
    expect(topology.cma.address).toBe("172.16.0.1");
    expect(topology.prefixLength).toBe(16);
    expect(topology.hosts[0]?.address).toBe("172.16.0.11");
  });

  it.each([
    [{ hosts: 0 }, /--hosts must be a whole number from 1 to 64/],
    [{ hosts: 65 }, /--hosts/],
    [{ switches: 9 }, /--switches must be a whole number from 1 to 8/],
    [{ hosts: 1.5 }, /--hosts/],
    [{ subnet: "10.250.0.0/25" }, /prefix length from \/8 to \/24/],
    [{ subnet: "10.250.0.7/24" }, /did you mean 10\.250\.0\.0\/24/],
    [{ subnet: "fd00::/64" }, /IPv4/],
    [{ subnet: "nonsense" }, /--subnet must be an IPv4 network/],
    [{ name: "bad name" }, /--name/],
    [{ name: "" }, /--name/],
  ])("refuses %o", (overrides, message) => {
    expect(() => plan(overrides)).toThrow(LabOptionError);
    expect(() => plan(overrides)).toThrow(message);
  });

  it("recognises only its own namespaces by name, not another lab's with a longer name", () => {
    const pattern = labNamespacePattern("assim");
    for (const ns of ["assim-cma", "assim-sw2", "assim-h64"]) expect(pattern.test(ns)).toBe(true);
    for (const ns of ["assim-x-cma", "assimx-h1", "assim-h", "assim-cma2", "other-h1"]) {
      expect(pattern.test(ns)).toBe(false);
    }
    expect(labNamespacePattern("a.b").test("axb-h1")).toBe(false);
  });

  it("parses the subnet into a network number and prefix", () => {
    expect(checkSubnet("10.250.0.0/24")).toEqual({ network: 0x0afa0000, prefixLength: 24 });
  });
});
