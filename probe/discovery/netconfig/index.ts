import type { DiscoveryAgent } from "../agent.js";
import { collectNetconfig } from "./collect.js";
import type { NetconfigData } from "./types.js";

export type { NetconfigData, NetInterface } from "./types.js";

export function summarizeNetconfig(data: NetconfigData): string {
  const interfaces = Object.values(data);
  const addresses = interfaces.reduce((n, nic) => n + Object.keys(nic.ipaddrs ?? {}).length, 0);
  const up = interfaces.filter((nic) => nic.operstate === "up").length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "es"}`;
  return `${interfaces.length} interface${interfaces.length === 1 ? "" : "s"} (${up} up), ${plural(addresses, "address")}`;
}

export const netconfigAgent: DiscoveryAgent<NetconfigData> = {
  type: "netconfig",
  description:
    "Network interfaces: MAC, link state, speed, kind, bridge and bond membership, addresses, default gateways",
  collect: collectNetconfig,
  summarize: summarizeNetconfig,
};
