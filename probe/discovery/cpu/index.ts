import type { DiscoveryAgent } from "../agent.js";
import { collectCpu } from "./collect.js";
import type { CpuData } from "./types.js";

export type { CpuData } from "./types.js";

const plural = (count: number | null, word: string) =>
  count === null ? `? ${word}s` : `${count} ${word}${count === 1 ? "" : "s"}`;

export const cpuAgent: DiscoveryAgent<CpuData> = {
  type: "cpu",
  description: "Processors: model, vendor, sockets, cores, threads, flags",
  collect: collectCpu,
  summarize(data) {
    const model = data.model_name ? `${data.model_name}: ` : "";
    return `${model}${plural(data.sockets, "socket")}, ${plural(data.cores, "core")}, ${plural(data.threads, "thread")}`;
  },
};
