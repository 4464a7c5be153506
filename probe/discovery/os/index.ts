// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const osAgent: DiscoveryAgent<Record<string, never>> = {
  type: "os",
  description: "placeholder",
  collect: async () => {
    throw new Error("os discovery is not built yet");
  },
  summarize: () => "",
};
