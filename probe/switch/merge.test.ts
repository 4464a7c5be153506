import { describe, expect, it } from "vitest";
import { cdpNeighbour, lldpNeighbour } from "../../test/support/neighbours.js";
import { matchRule, mergeNeighbours, pairNeighbours } from "./merge.js";

/** A CDP neighbour sharing nothing with lldpNeighbour() unless told to. */
function strangerCdp(parts: Parameters<typeof cdpNeighbour>[0] = {}) {
  return cdpNeighbour({
    source_mac: "02:99:99:99:99:99",
    ...parts,
    chassis: {
      id: "other-device",
      name: "other-device",
      management_addresses: [{ family: "ipv4", address: "198.51.100.9" }],
      ...parts.chassis,
    },
  });
}

describe("matchRule: when LLDP and CDP on one interface are one device", () => {
  it("same Ethernet source address", () => {
    expect(matchRule(lldpNeighbour(), strangerCdp({ source_mac: "00:1b:2c:3d:4e:87" }))).toBe(
      "source_mac",
    );
  });

  it.each([
    ["sw1", "sw1"],
    ["sw1", "SW1"],
    ["sw1", "sw1.example.net"],
    ["sw1.example.net", "sw1"],
    ["n5k-1", "N5K-1(SSI12345678)"],
  ])("system name %j matches CDP device ID %j", (systemName, deviceId) => {
    const lldp = lldpNeighbour({ chassis: { name: systemName } });
    expect(matchRule(lldp, strangerCdp({ chassis: { id: deviceId } }))).toBe("name");
  });

  it("system name matches the CDP system name TLV when the device ID differs", () => {
    const cdp = strangerCdp({ chassis: { id: "FOC1234X0AB", system_name: "sw1" } });
    expect(matchRule(lldpNeighbour(), cdp)).toBe("name");
  });

  it.each([
    ["10.0.0.1", "10.1.1.1"],
    ["sw1", "sw2.example.net"],
    ["sw1", ""],
  ])("names %j and %j do not match", (systemName, deviceId) => {
    const lldp = lldpNeighbour({ chassis: { name: systemName } });
    expect(matchRule(lldp, strangerCdp({ chassis: { id: deviceId } }))).toBeUndefined();
  });

  it.each(["SEP001B2C3D4E5F", "001b2c3d4e5f", "001b.2c3d.4e5f", "00-1B-2C-3D-4E-5F"])(
    "the LLDP chassis MAC inside the CDP device ID %j",
    (deviceId) => {
      const lldp = lldpNeighbour({ chassis: { name: "phone" } });
      expect(matchRule(lldp, strangerCdp({ chassis: { id: deviceId } }))).toBe("chassis_mac");
    },
  );

  it("a chassis MAC is not looked for when the LLDP chassis ID is not a MAC", () => {
    const lldp = lldpNeighbour({
      chassis: { id: "001b2c3d4e5f", id_subtype: "local", name: "phone" },
    });
    expect(matchRule(lldp, strangerCdp({ chassis: { id: "SEP001B2C3D4E5F" } }))).toBeUndefined();
  });

  it("a shared management IP address", () => {
    const cdp = strangerCdp({
      chassis: {
        management_addresses: [
          { family: "ipv4", address: "203.0.113.5" },
          { family: "ipv4", address: "192.0.2.1" },
        ],
      },
    });
    expect(matchRule(lldpNeighbour(), cdp)).toBe("management_address");
  });

  it("different devices sharing nothing do not match", () => {
    expect(matchRule(lldpNeighbour(), strangerCdp())).toBeUndefined();
  });

  it("MAC management addresses are not IP addresses to share", () => {
    const mac = { family: "mac" as const, address: "00:1b:2c:3d:4e:5f" };
    const lldp = lldpNeighbour({ chassis: { management_addresses: [mac] } });
    const cdp = strangerCdp({ chassis: { management_addresses: [mac] } });
    expect(matchRule(lldp, cdp)).toBeUndefined();
  });
});

describe("pairNeighbours", () => {
  it("pairs each CDP neighbour with at most one LLDP neighbour, first heard first", () => {
    const lldp = [
      lldpNeighbour({
        chassis: { id: "00:00:00:00:00:01", name: "a" },
        source_mac: "02:00:00:00:00:01",
      }),
      lldpNeighbour({
        chassis: { id: "00:00:00:00:00:02", name: "b" },
        source_mac: "02:00:00:00:00:02",
      }),
      lldpNeighbour({
        chassis: { id: "00:00:00:00:00:03", name: "b" },
        source_mac: "02:00:00:00:00:03",
      }),
    ];
    const cdp = [
      strangerCdp({ chassis: { id: "b" } }),
      strangerCdp({ chassis: { id: "b.example.net" } }),
      strangerCdp({ chassis: { id: "nobody" } }),
    ];
    expect(pairNeighbours(lldp, cdp)).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });
});

describe("mergeNeighbours", () => {
  const lldp = lldpNeighbour({
    chassis: { management_addresses: [{ family: "ipv4", address: "192.0.2.1" }] },
    port: { vlan_id: 100, description: "server uplink" },
    ttl_seconds: 120,
  });
  const cdp = cdpNeighbour({
    chassis: {
      management_addresses: [
        { family: "ipv4", address: "192.0.2.1" },
        { family: "ipv6", address: "2001:db8::1" },
      ],
    },
    port: { vlan_id: 1, voice_vlan: 200 },
    ttl_seconds: 180,
  });
  const merged = mergeNeighbours(lldp, cdp);

  it("is one neighbour speaking both protocols, living as long as the longer TTL", () => {
    expect(merged.protocols).toEqual(["cdp", "lldp"]);
    expect(merged.ttl_seconds).toBe(180);
    expect(merged.cdp_version).toBe(2);
  });

  it("keeps LLDP's identity and values where both say something", () => {
    expect(merged.chassis.id).toBe("00:1b:2c:3d:4e:5f");
    expect(merged.chassis.id_subtype).toBe("mac_address");
    expect(merged.chassis.name).toBe("sw1");
    expect(merged.chassis.description).toBe("Switch OS 1.0");
    expect(merged.port.id).toBe("Gi1/0/7");
    expect(merged.port.vlan_id).toBe(100);
    expect(merged.chassis.capabilities).toEqual(lldp.chassis.capabilities);
  });

  it("adds what only CDP says", () => {
    expect(merged.chassis.platform).toBe("cisco WS-C3750G-24TS");
    expect(merged.chassis.software_version).toBe("Cisco IOS 15.2");
    expect(merged.port.voice_vlan).toBe(200);
    expect(merged.port.duplex).toBe("full");
    expect(merged.port.mtu).toBe(1500);
  });

  it("joins the management addresses without repeating one", () => {
    expect(merged.chassis.management_addresses).toEqual([
      { family: "ipv4", address: "192.0.2.1" },
      { family: "ipv6", address: "2001:db8::1" },
    ]);
  });

  it("takes CDP's capabilities when LLDP sent none, and CDP's native VLAN when LLDP has no PVID", () => {
    const bare = lldpNeighbour({
      chassis: { capabilities: { supported: [], enabled: [] } },
      port: { vlan_id: undefined },
    });
    delete bare.port.vlan_id;
    const result = mergeNeighbours(bare, cdp);
    expect(result.chassis.capabilities).toEqual(cdp.chassis.capabilities);
    expect(result.port.vlan_id).toBe(1);
  });

  it("does not change its inputs", () => {
    expect(lldp.protocols).toEqual(["lldp"]);
    expect(cdp.chassis.management_addresses).toHaveLength(2);
    expect(lldp.chassis.management_addresses).toHaveLength(1);
  });
});
