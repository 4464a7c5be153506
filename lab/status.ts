/**
 * What `lab status` shows: which namespaces exist, whether each daemon runs,
 * each host's switch port and address, and the CMA's own view of its probes
 * (from the status file it rewrites every second).
 */
import { readFileSync } from "node:fs";
import { cmaStatusFile } from "./daemons.js";
import { listNamespaces } from "./netns.js";
import { linkIsUp } from "./network.js";
import { isOurs } from "./processes.js";
import { planServices } from "./services.js";
import type { DaemonRecord, LabState } from "./state.js";

export interface DaemonStatus {
  kind: DaemonRecord["kind"];
  pid: number | null;
  alive: boolean;
  log: string;
}

export interface LabStatus {
  name: string;
  dir: string;
  phase: LabState["phase"];
  subnet: string;
  namespaces: { name: string; present: boolean }[];
  cma: { ns: string; address: string; daemon: DaemonStatus | null };
  switches: {
    name: string;
    ns: string;
    address: string;
    bridgeUp: boolean | null;
    hosts: string[];
    lldpd: DaemonStatus | null;
  }[];
  hosts: {
    name: string;
    ns: string;
    address: string;
    switch: string;
    port: string;
    machineId: string;
    daemon: DaemonStatus | null;
    /** The host's state as the CMA's status file tells it (up, down, ...), if known. */
    cmaState: string | null;
    /** The services it runs (lab/services.ts); daemon null when it could not run here. */
    services: {
      key: string;
      name: string;
      port: number;
      description: string;
      daemon: DaemonStatus | null;
    }[];
  }[];
  /** The CMA's status file, parsed, when present. */
  cmaStatus: unknown;
}

/** A JSON file, parsed; undefined when absent or unreadable (caught mid-write). */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** The CMA's view of each probe, keyed by system (machine id) and by hostname. */
function cmaProbeStates(status: unknown): Map<string, string> {
  const states = new Map<string, string>();
  const probes = (status as { probes?: unknown } | undefined)?.probes;
  if (!Array.isArray(probes)) return states;
  for (const probe of probes as Record<string, unknown>[]) {
    if (typeof probe?.state !== "string") continue;
    if (typeof probe.system === "string") states.set(probe.system, probe.state);
    if (typeof probe.hostname === "string") states.set(probe.hostname, probe.state);
  }
  return states;
}

export function daemonStatus(state: LabState, host: string): DaemonStatus | null {
  const record = state.daemons[host];
  if (!record) return null;
  return {
    kind: record.kind,
    pid: record.pid,
    alive: isOurs(record.pid, record.ns, state.dir),
    log: record.log,
  };
}

export function labStatus(state: LabState): LabStatus {
  const { topology } = state;
  const services = state.settings.services ? planServices(topology.hosts) : [];
  const present = new Set(listNamespaces());
  const cmaStatus = readJson(cmaStatusFile(state));
  const known = cmaProbeStates(cmaStatus);
  return {
    name: state.name,
    dir: state.dir,
    phase: state.phase,
    subnet: topology.subnet,
    namespaces: state.namespaces.map((ns) => ({ name: ns, present: present.has(ns) })),
    cma: {
      ns: topology.cma.ns,
      address: topology.cma.address,
      daemon: daemonStatus(state, "cma"),
    },
    switches: topology.switches.map((sw) => ({
      name: sw.name,
      ns: sw.ns,
      address: sw.address,
      bridgeUp: present.has(sw.ns) ? (linkIsUp(sw.ns, sw.bridge) ?? null) : null,
      hosts: sw.hosts,
      lldpd: daemonStatus(state, sw.name),
    })),
    hosts: topology.hosts.map((h) => ({
      name: h.name,
      ns: h.ns,
      address: h.address,
      switch: h.switch,
      port: h.port,
      machineId: h.machineId,
      daemon: daemonStatus(state, h.name),
      cmaState: known.get(h.machineId) ?? known.get(h.name) ?? null,
      services: services
        .filter((plan) => plan.host === h.name)
        .map((plan) => ({
          key: plan.key,
          name: plan.name,
          port: plan.port,
          description: plan.description,
          daemon: daemonStatus(state, plan.key),
        })),
    })),
    cmaStatus: cmaStatus ?? null,
  };
}
