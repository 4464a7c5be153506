/** Neighbours in the decoders' shape, for the pure tests of the table and the merge. */
import type { Chassis, Neighbour, Port } from "../../probe/switch/neighbour.js";

interface Parts {
  chassis?: Partial<Chassis>;
  port?: Partial<Port>;
  ttl_seconds?: number;
  source_mac?: string;
}

/** An LLDP neighbour like a switch sends: MAC chassis ID, interface-name port ID. */
export function lldpNeighbour(parts: Parts = {}): Neighbour {
  return {
    protocols: ["lldp"],
    ttl_seconds: parts.ttl_seconds ?? 120,
    chassis: {
      id: "00:1b:2c:3d:4e:5f",
      id_subtype: "mac_address",
      name: "sw1",
      description: "Switch OS 1.0",
      capabilities: { supported: ["bridge", "router"], enabled: ["bridge"] },
      management_addresses: [{ family: "ipv4", address: "192.0.2.1" }],
      ...parts.chassis,
    },
    port: {
      id: "Gi1/0/7",
      id_subtype: "interface_name",
      description: "server uplink",
      vlan_id: 100,
      ...parts.port,
    },
    source_mac: parts.source_mac ?? "00:1b:2c:3d:4e:87",
  };
}

/** A CDP neighbour: device ID chassis, interface-name port. */
export function cdpNeighbour(parts: Parts = {}): Neighbour {
  return {
    protocols: ["cdp"],
    ttl_seconds: parts.ttl_seconds ?? 180,
    chassis: {
      id: "sw1.example.net",
      id_subtype: "cdp_device_id",
      name: "sw1.example.net",
      description: "Cisco IOS 15.2",
      software_version: "Cisco IOS 15.2",
      platform: "cisco WS-C3750G-24TS",
      capabilities: { supported: ["switch", "igmp"], enabled: ["switch", "igmp"] },
      management_addresses: [{ family: "ipv4", address: "192.0.2.1" }],
      ...parts.chassis,
    },
    port: {
      id: "GigabitEthernet1/0/7",
      id_subtype: "interface_name",
      vlan_id: 100,
      duplex: "full",
      mtu: 1500,
      ...parts.port,
    },
    source_mac: parts.source_mac ?? "00:1b:2c:3d:4e:87",
    cdp_version: 2,
  };
}
