/**
 * Typed results of monitoring agents. Each class keeps its own contract (an OCF
 * "not running" is not a Nagios WARNING), then normalises to one `state`.
 */

export type MonitorState = "ok" | "warning" | "critical" | "unknown" | "stopped";

/** How the operation itself ended, independently of what the agent said. */
export interface RunInfo {
  /** Exit code, or null when the process was killed or could not start. */
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  /** The operation took longer than its warn time. */
  slow: boolean;
  /** Set when the program could not be spawned (ENOENT, EACCES…). */
  spawnError?: string;
  outputTruncated: boolean;
  /** stdout then stderr, capped. */
  output: string;
}

interface ResultBase {
  state: MonitorState;
  reason: string;
  /** Class-specific code (exit code, or "ActiveState/SubState" for systemd); null when none. */
  code: number | string | null;
  run?: RunInfo;
}

// --- OCF ---------------------------------------------------------------------

export const OCF_CODES = {
  0: ["OCF_SUCCESS", "running"],
  1: ["OCF_ERR_GENERIC", "generic error"],
  2: ["OCF_ERR_ARGS", "invalid arguments"],
  3: ["OCF_ERR_UNIMPLEMENTED", "unimplemented"],
  4: ["OCF_ERR_PERM", "insufficient privileges"],
  5: ["OCF_ERR_INSTALLED", "not installed"],
  6: ["OCF_ERR_CONFIGURED", "not configured"],
  7: ["OCF_NOT_RUNNING", "not running"],
  8: ["OCF_RUNNING_PROMOTED", "running promoted"],
  9: ["OCF_FAILED_PROMOTED", "failed promoted"],
} as const satisfies Record<number, readonly [string, string]>;

export type OcfCodeName = (typeof OCF_CODES)[keyof typeof OCF_CODES][0] | "OCF_UNKNOWN";

export interface OcfResult extends ResultBase {
  class: "ocf";
  operation: "monitor" | "start" | "stop";
  codeName: OcfCodeName;
  meaning: string;
}

export function ocfResult(
  operation: OcfResult["operation"],
  exitCode: number,
  output = "",
): OcfResult {
  const entry = (OCF_CODES as Record<number, readonly [string, string] | undefined>)[exitCode];
  const codeName = (entry?.[0] ?? "OCF_UNKNOWN") as OcfCodeName;
  const meaning = entry?.[1] ?? `unknown exit code ${exitCode}`;
  let state: MonitorState;
  if (exitCode === 0 || exitCode === 8) state = "ok";
  else if (exitCode === 7) state = "stopped";
  else if (entry) state = "critical";
  else state = "unknown";
  // A successful stop leaves the resource stopped.
  if (operation === "stop" && exitCode === 0) state = "stopped";
  const line = firstLine(output);
  return {
    class: "ocf",
    operation,
    code: exitCode,
    codeName,
    meaning,
    state,
    reason: `${operation}: ${codeName} (${meaning})${line ? `: ${line}` : ""}`,
  };
}

// --- LSB ---------------------------------------------------------------------

export const LSB_STATUS_CODES = {
  0: ["LSB_RUNNING", "program is running or service is OK"],
  1: ["LSB_DEAD_PIDFILE", "program is dead and /var/run pid file exists"],
  2: ["LSB_DEAD_LOCKFILE", "program is dead and /var/lock lock file exists"],
  3: ["LSB_NOT_RUNNING", "program is not running"],
  4: ["LSB_UNKNOWN", "program or service status is unknown"],
} as const satisfies Record<number, readonly [string, string]>;

export type LsbCodeName = (typeof LSB_STATUS_CODES)[keyof typeof LSB_STATUS_CODES][0];

export interface LsbResult extends ResultBase {
  class: "lsb";
  operation: "status" | "start" | "stop";
  codeName: LsbCodeName;
  meaning: string;
}

export function lsbStatusResult(exitCode: number, output = ""): LsbResult {
  const entry = (LSB_STATUS_CODES as Record<number, readonly [string, string] | undefined>)[
    exitCode
  ];
  const codeName = (entry?.[0] ?? "LSB_UNKNOWN") as LsbCodeName;
  const meaning = entry?.[1] ?? `unknown exit code ${exitCode}`;
  let state: MonitorState;
  if (exitCode === 0) state = "ok";
  else if (exitCode === 3) state = "stopped";
  // Dead with a leftover pid/lock file: it crashed rather than being stopped.
  else if (exitCode === 1 || exitCode === 2) state = "critical";
  else state = "unknown";
  const line = firstLine(output);
  return {
    class: "lsb",
    operation: "status",
    code: exitCode,
    codeName,
    meaning,
    state,
    reason: `status: ${codeName} (${meaning})${line ? `: ${line}` : ""}`,
  };
}

/** LSB start/stop: 0 is success, anything else a failure (LSB init actions). */
export function lsbActionResult(
  operation: "start" | "stop",
  exitCode: number,
  output = "",
): LsbResult {
  const line = firstLine(output);
  const ok = exitCode === 0;
  return {
    class: "lsb",
    operation,
    code: exitCode,
    codeName: ok ? "LSB_RUNNING" : "LSB_UNKNOWN",
    meaning: ok ? `${operation} succeeded` : `${operation} failed with exit code ${exitCode}`,
    state: ok ? (operation === "start" ? "ok" : "stopped") : "critical",
    reason: `${operation}: exit ${exitCode}${line ? `: ${line}` : ""}`,
  };
}

// --- Nagios ------------------------------------------------------------------

export type NagiosStatus = "OK" | "WARNING" | "CRITICAL" | "UNKNOWN";

export interface PerfData {
  label: string;
  value: number | null;
  uom: string;
  warn: string | null;
  crit: string | null;
  min: number | null;
  max: number | null;
}

export interface NagiosResult extends ResultBase {
  class: "nagios";
  operation: "check";
  status: NagiosStatus;
  /** First line of output, without perfdata. */
  text: string;
  perfdata: PerfData[];
}

const NAGIOS_STATUS: readonly NagiosStatus[] = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];
const NAGIOS_STATE: Record<NagiosStatus, MonitorState> = {
  OK: "ok",
  WARNING: "warning",
  CRITICAL: "critical",
  UNKNOWN: "unknown",
};

export function nagiosResult(exitCode: number, output: string): NagiosResult {
  const status = NAGIOS_STATUS[exitCode] ?? "UNKNOWN";
  const lines = output.split("\n");
  const first = lines[0] ?? "";
  const bar = first.indexOf("|");
  const text = (bar >= 0 ? first.slice(0, bar) : first).trim();
  // Perfdata: after "|" on the first line, plus (long output) after "|" on any later line.
  const perfParts: string[] = [];
  if (bar >= 0) perfParts.push(first.slice(bar + 1));
  const laterBar = lines.slice(1).join("\n").indexOf("|");
  if (laterBar >= 0)
    perfParts.push(
      lines
        .slice(1)
        .join("\n")
        .slice(laterBar + 1),
    );
  const perfdata = perfParts.flatMap(parsePerfData);
  const known = exitCode >= 0 && exitCode <= 3;
  return {
    class: "nagios",
    operation: "check",
    code: exitCode,
    status,
    text,
    perfdata,
    state: NAGIOS_STATE[status],
    reason: `${status}${known ? "" : ` (exit code ${exitCode})`}${text ? `: ${text}` : ""}`,
  };
}

const PERF_ITEM = /\s*('(?:[^']|'')+'|[^\s=']+)=(\S*)/g;
const PERF_VALUE = /^(-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)([^;0-9]*)$/;

/** Parses `label=value[UOM];warn;crit;min;max` entries; quoted labels may hold spaces ('' is a quote). */
export function parsePerfData(text: string): PerfData[] {
  const out: PerfData[] = [];
  for (const m of text.matchAll(PERF_ITEM)) {
    const rawLabel = m[1] ?? "";
    const label = rawLabel.startsWith("'") ? rawLabel.slice(1, -1).replaceAll("''", "'") : rawLabel;
    const [valueUom = "", warn, crit, min, max] = (m[2] ?? "").split(";");
    const vm = PERF_VALUE.exec(valueUom);
    out.push({
      label,
      value: vm ? Number(vm[1]) : null,
      uom: vm ? (vm[2] ?? "") : "",
      warn: warn ? warn : null,
      crit: crit ? crit : null,
      min: toNumber(min),
      max: toNumber(max),
    });
  }
  return out;
}

function toNumber(s: string | undefined): number | null {
  if (s === undefined || s === "") return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

// --- systemd -----------------------------------------------------------------

export interface SystemdResult extends ResultBase {
  class: "systemd";
  operation: "status" | "start" | "stop";
  activeState: string | null;
  subState: string | null;
  loadState: string | null;
}

/** From `systemctl show UNIT --property=ActiveState,SubState,LoadState` output. */
export function systemdResult(output: string): SystemdResult {
  const props = new Map<string, string>();
  for (const line of output.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const activeState = props.get("ActiveState") ?? null;
  const subState = props.get("SubState") ?? null;
  const loadState = props.get("LoadState") ?? null;
  let state: MonitorState;
  if (loadState === "not-found" || loadState === "masked") state = "unknown";
  else if (activeState === "active" || activeState === "reloading") state = "ok";
  else if (activeState === "inactive" || activeState === "deactivating") state = "stopped";
  else if (activeState === "failed") state = "critical";
  else if (activeState === "activating") state = "warning";
  else state = "unknown";
  return {
    class: "systemd",
    operation: "status",
    code: `${activeState ?? "?"}/${subState ?? "?"}`,
    activeState,
    subState,
    loadState,
    state,
    reason: `${activeState ?? "?"} (${subState ?? "?"}), load ${loadState ?? "?"}`,
  };
}

/** `systemctl start|stop`: exit 0 is success. */
export function systemdActionResult(
  operation: "start" | "stop",
  exitCode: number,
  output = "",
): SystemdResult {
  const ok = exitCode === 0;
  const line = firstLine(output);
  return {
    ...systemdUnavailable(
      `${operation}: ${ok ? "succeeded" : `exit ${exitCode}`}${line ? `: ${line}` : ""}`,
    ),
    operation,
    code: exitCode,
    state: ok ? (operation === "start" ? "ok" : "stopped") : "critical",
  };
}

export function systemdUnavailable(reason: string): SystemdResult {
  return {
    class: "systemd",
    operation: "status",
    code: null,
    activeState: null,
    subState: null,
    loadState: null,
    state: "unknown",
    reason,
  };
}

// --- common ------------------------------------------------------------------

export type AgentResult = OcfResult | LsbResult | NagiosResult | SystemdResult;
export type AgentClass = AgentResult["class"];

/** The operation itself failed (timeout, could not spawn): no verdict from the agent. */
export function operationFailed(cls: AgentClass, operation: string, reason: string): AgentResult {
  const base = { state: "unknown" as const, reason, code: null };
  switch (cls) {
    case "ocf":
      return {
        ...base,
        class: "ocf",
        operation: operation as OcfResult["operation"],
        codeName: "OCF_UNKNOWN",
        meaning: reason,
      };
    case "lsb":
      return {
        ...base,
        class: "lsb",
        operation: operation as LsbResult["operation"],
        codeName: "LSB_UNKNOWN",
        meaning: reason,
      };
    case "nagios":
      return {
        ...base,
        class: "nagios",
        operation: "check",
        status: "UNKNOWN",
        text: "",
        perfdata: [],
      };
    case "systemd":
      return { ...systemdUnavailable(reason), operation: operation as SystemdResult["operation"] };
  }
}

function firstLine(output: string): string {
  return (output.split("\n")[0] ?? "").trim();
}
