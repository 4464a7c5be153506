// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const arpcacheAgent: DiscoveryAgent<Record<string, never>> = {
  type: "arpcache",
  description: "placeholder",
  collect: async () => {
    throw new Error("arpcache discovery is not built yet");
  },
  summarize: () => "",
};
