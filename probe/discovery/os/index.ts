import type { DiscoveryAgent } from "../agent.js";
import { collectOs } from "./collect.js";
import type { OsData } from "./types.js";

export type { OsData } from "./types.js";

export const osAgent: DiscoveryAgent<OsData> = {
  type: "os",
  description: "Operating system: os-release, kernel, hostname, machine id, boot time, memory",
  collect: collectOs,
  summarize(data) {
    const name = data.os_release?.PRETTY_NAME ?? data.os_release?.NAME ?? "unknown OS";
    const kernel = data.kernel.release ? `, kernel ${data.kernel.release}` : "";
    const arch = data.architecture ? `, ${data.architecture}` : "";
    return `${String(name)}${kernel}${arch}`;
  },
};
