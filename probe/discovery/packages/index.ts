// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const packagesAgent: DiscoveryAgent<Record<string, never>> = {
  type: "packages",
  description: "placeholder",
  collect: async () => {
    throw new Error("packages discovery is not built yet");
  },
  summarize: () => "",
};
