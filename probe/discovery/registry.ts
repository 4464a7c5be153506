import type { DiscoveryAgent } from "./agent.js";

/**
 * Every discovery type the probe runs, in the order `assim discover` prints
 * them. Agents are imported only when run, so a command that runs one type
 * does not pay for loading the others.
 */
const loaders = {
  os: async () => (await import("./os/index.js")).osAgent,
  cpu: async () => (await import("./cpu/index.js")).cpuAgent,
  netconfig: async () => (await import("./netconfig/index.js")).netconfigAgent,
  arpcache: async () => (await import("./arpcache/index.js")).arpcacheAgent,
  tcpdiscovery: async () => (await import("./tcpdiscovery/index.js")).tcpdiscoveryAgent,
  packages: async () => (await import("./packages/index.js")).packagesAgent,
  monitoringagents: async () => (await import("./monitoringagents/index.js")).monitoringagentsAgent,
  switch: async () => (await import("./switch/index.js")).switchAgent,
} satisfies Record<string, () => Promise<unknown>>;

export type DiscoveryType = keyof typeof loaders;

/**
 * Types run only when named (`assim discover switch`), never in a default
 * run: `switch` listens for LLDP/CDP frames for half a minute, which would
 * make every one-shot discovery that slow. The probe daemon captures
 * continuously instead. See probe/discovery/switch/README.md.
 */
export const onRequestTypes: readonly DiscoveryType[] = ["switch"];

/** The types a run without names (`assim discover`, `assim up`) runs, in order. */
export const discoveryTypes = (Object.keys(loaders) as DiscoveryType[]).filter(
  (type) => !onRequestTypes.includes(type),
) as readonly DiscoveryType[];

/** Every type, the default ones first. */
export const allDiscoveryTypes: readonly DiscoveryType[] = [...discoveryTypes, ...onRequestTypes];

export function isDiscoveryType(name: string): name is DiscoveryType {
  return Object.hasOwn(loaders, name);
}

export async function loadAgent(type: DiscoveryType): Promise<DiscoveryAgent> {
  return (await loaders[type]()) as DiscoveryAgent;
}

export function loadAgents(types: readonly DiscoveryType[]): Promise<DiscoveryAgent[]> {
  return Promise.all(types.map(loadAgent));
}
