/**
 * switch → the switch Systems and SwitchPorts each host interface hears over
 * LLDP/CDP (SEES_PORT), then the derived WIRED_TO from the host's NIC of that
 * interface. The neighbour shape is probe/switch/neighbour.ts's; only the
 * fields below are read.
 */
import { switchPortKey, switchSystemKey } from "../../graph/keys.js";
import type { SwitchNeighbourFacts } from "../../graph/store.js";
import type { Mapper } from "./context.js";

interface Neighbour {
  protocols: string[];
  ttl_seconds: number;
  chassis: {
    id: string;
    id_subtype: string;
    name?: string;
    description?: string;
    capabilities?: { supported: string[]; enabled: string[] };
    management_addresses?: { address: string }[];
    platform?: string;
  };
  port: {
    id: string;
    id_subtype: string;
    description?: string;
    vlan_id?: number;
    mtu?: number;
    speed_mbps?: number;
    duplex?: string;
  };
}

interface SwitchData {
  interfaces?: Record<string, { neighbours?: Neighbour[] }>;
}

const sorted = (values: readonly string[] | undefined) => [...new Set(values ?? [])].sort();

export const mapSwitch: Mapper = (document, context) => {
  const data = document.data as SwitchData;
  const facts = new Map<string, SwitchNeighbourFacts>();
  for (const [ifname, heard] of Object.entries(data.interfaces ?? {})) {
    for (const { chassis, port, protocols, ttl_seconds } of heard.neighbours ?? []) {
      const switchKey = switchSystemKey(chassis.id);
      const portKey = switchPortKey(switchKey, port.id);
      facts.set(`${ifname} ${portKey}`, {
        interface: ifname,
        switch: {
          key: switchKey,
          kind: "switch",
          props: {
            name: chassis.name ?? chassis.id,
            chassis_id: chassis.id,
            chassis_id_subtype: chassis.id_subtype,
            description: chassis.description ?? null,
            platform: chassis.platform ?? null,
            capabilities_supported: sorted(chassis.capabilities?.supported),
            capabilities_enabled: sorted(chassis.capabilities?.enabled),
            management_addresses: sorted(chassis.management_addresses?.map((m) => m.address)),
          },
        },
        port: {
          key: portKey,
          props: {
            port_id: port.id,
            port_id_subtype: port.id_subtype,
            description: port.description ?? null,
            vlan_id: port.vlan_id ?? null,
            mtu: port.mtu ?? null,
            speed_mbps: port.speed_mbps ?? null,
            duplex: port.duplex ?? null,
          },
        },
        props: { interface: ifname, protocols: sorted(protocols), ttl_seconds },
      });
    }
  }
  const neighbours = [...facts.values()];
  return {
    warnings: [],
    apply: async (tx) => {
      await tx.replaceSwitchNeighbours(context.system, neighbours, context.at);
      await tx.linkWiring(context.system, context.at);
    },
  };
};
