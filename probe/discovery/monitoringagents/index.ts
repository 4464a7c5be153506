// PLACEHOLDER: replaced by the real agent.
import type { DiscoveryAgent } from "../agent.js";

export const monitoringagentsAgent: DiscoveryAgent<Record<string, never>> = {
  type: "monitoringagents",
  description: "placeholder",
  collect: async () => {
    throw new Error("monitoringagents discovery is not built yet");
  },
  summarize: () => "",
};
