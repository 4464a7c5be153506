/** One systemd unit: its unit file state and, when systemd runs, its live state. */
export interface SystemdUnit {
  /** The suffix of its name: "service", "socket", "timer"… */
  type: string;
  /** Unit file state: "enabled", "disabled", "static", "masked", "alias"…; null for units without a file. */
  state: string | null;
  /** Vendor preset ("enabled"/"disabled"), when the unit file has one. */
  preset?: string;
  /** Services only, when systemd is running: "active", "inactive", "failed"… */
  active?: string;
  /** Services only, when systemd is running: "running", "exited", "dead"… */
  sub?: string;
}

/** The `data` of a `monitoringagents` document (schemas/discovery/monitoringagents.schema.json). */
export interface MonitoringAgentsData {
  /** OCF resource agents: provider → agent types, sorted. */
  ocf: Record<string, string[]>;
  /** LSB init scripts in /etc/init.d, sorted. */
  lsb: string[];
  /** Nagios plugins, sorted. */
  nagios: string[];
  /** systemd units by name. */
  systemd: Record<string, SystemdUnit>;
  /** Whether systemd is the running init (/run/systemd/system exists); active states need it. */
  systemd_running: boolean;
}
