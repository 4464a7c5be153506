import type { DiscoveryAgent } from "../agent.js";
import { collectMonitoringAgents } from "./collect.js";
import type { MonitoringAgentsData } from "./types.js";

export type { MonitoringAgentsData, SystemdUnit } from "./types.js";

export const monitoringagentsAgent: DiscoveryAgent<MonitoringAgentsData> = {
  type: "monitoringagents",
  description:
    "Monitoring agents installed: OCF resource agents, LSB init scripts, Nagios plugins, systemd units",
  collect: collectMonitoringAgents,
  summarize(data) {
    const ocf = Object.values(data.ocf).reduce((sum, agents) => sum + agents.length, 0);
    return `${ocf} OCF, ${data.lsb.length} LSB, ${data.nagios.length} Nagios, ${Object.keys(data.systemd).length} systemd units`;
  },
};
