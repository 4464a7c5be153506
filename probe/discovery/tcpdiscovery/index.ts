import type { DiscoveryAgent } from "../agent.js";
import { collectTcpDiscovery } from "./collect.js";
import { type ProcessGroup, type TcpDiscoveryData, UNOWNED_KEY } from "./types.js";

export type { TcpDiscoveryData } from "./types.js";

export function summarizeTcpDiscovery(data: TcpDiscoveryData): string {
  let groups = 0;
  let pids = 0;
  let listen = 0;
  let clients = 0;
  for (const [key, entry] of Object.entries(data)) {
    if (key !== UNOWNED_KEY) {
      groups++;
      pids += (entry as ProcessGroup).pids.length;
    }
    listen += entry.listen.length;
    clients += entry.clients.length;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(groups, "process group")} (${plural(pids, "pid")}), ${listen} listening, ${plural(clients, "client connection")}`;
}

export const tcpdiscoveryAgent: DiscoveryAgent<TcpDiscoveryData> = {
  type: "tcpdiscovery",
  description:
    "Listening TCP/UDP sockets and outbound connections, grouped by the process holding them",
  collect: async (context) => collectTcpDiscovery(context),
  summarize: summarizeTcpDiscovery,
};
