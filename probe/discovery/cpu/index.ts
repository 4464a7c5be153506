// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const cpuAgent: DiscoveryAgent<Record<string, never>> = {
  type: "cpu",
  description: "placeholder",
  collect: async () => {
    throw new Error("cpu discovery is not built yet");
  },
  summarize: () => "",
};
