/** monitoringagents → which monitoring agents the host can run, as System properties. */
import type { Mapper } from "./context.js";

interface MonitoringAgentsData {
  ocf: Record<string, string[]>;
  lsb: string[];
  nagios: string[];
  systemd: Record<string, { type: string; state: string | null }>;
  systemd_running: boolean;
}

export const mapMonitoringAgents: Mapper = (document, context) => {
  const data = document.data as MonitoringAgentsData;
  const props = {
    agents_ocf: Object.entries(data.ocf)
      .flatMap(([provider, agents]) => agents.map((agent) => `${provider}/${agent}`))
      .sort(),
    agents_lsb: [...data.lsb].sort(),
    agents_nagios: [...data.nagios].sort(),
    systemd_services: Object.entries(data.systemd)
      .filter(([, unit]) => unit.type === "service")
      .map(([name]) => name)
      .sort(),
    systemd_running: data.systemd_running,
  };
  return {
    warnings: [],
    apply: (tx) => tx.upsertSystem({ key: context.system, kind: "host", props }, context.at),
  };
};
