import type { DiscoveryAgent } from "./agent.js";
import { arpcacheAgent } from "./arpcache/index.js";
import { cpuAgent } from "./cpu/index.js";
import { monitoringagentsAgent } from "./monitoringagents/index.js";
import { netconfigAgent } from "./netconfig/index.js";
import { osAgent } from "./os/index.js";
import { packagesAgent } from "./packages/index.js";
import { tcpdiscoveryAgent } from "./tcpdiscovery/index.js";

/** Every discovery type the probe runs, in the order `assim discover` prints them. */
export const discoveryAgents: readonly DiscoveryAgent[] = [
  osAgent,
  cpuAgent,
  netconfigAgent,
  arpcacheAgent,
  tcpdiscoveryAgent,
  packagesAgent,
  monitoringagentsAgent,
];

export function discoveryTypeNames(): string[] {
  return discoveryAgents.map((agent) => agent.type);
}

export function findAgent(type: string): DiscoveryAgent | undefined {
  return discoveryAgents.find((agent) => agent.type === type);
}
