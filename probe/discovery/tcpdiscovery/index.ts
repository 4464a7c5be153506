// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const tcpdiscoveryAgent: DiscoveryAgent<Record<string, never>> = {
  type: "tcpdiscovery",
  description: "placeholder",
  collect: async () => {
    throw new Error("tcpdiscovery discovery is not built yet");
  },
  summarize: () => "",
};
