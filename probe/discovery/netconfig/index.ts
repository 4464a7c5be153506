// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const netconfigAgent: DiscoveryAgent<Record<string, never>> = {
  type: "netconfig",
  description: "placeholder",
  collect: async () => {
    throw new Error("netconfig discovery is not built yet");
  },
  summarize: () => "",
};
