/**
 * The lab's state file: what exists (or is about to), written before every
 * creation step so that `lab down` can remove everything even after a crash
 * halfway through `lab up`.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Topology } from "./topology.js";

export const STATE_FILE = "lab.json";
export const DEFAULT_ROOT = "/run/assim-lab";

export function defaultLabDir(name: string): string {
  return join(DEFAULT_ROOT, name);
}

/** A veth pair: one end in each namespace. */
export interface LinkRecord {
  ns: string;
  name: string;
  peerNs: string;
  peer: string;
}

export type DaemonKind = "cma" | "probe" | "lldpd" | "service";

export interface DaemonRecord {
  kind: DaemonKind;
  ns: string;
  /** The arguments given to `ip` (`netns exec NS PROGRAM ...`), so it restarts identically. */
  command: string[];
  log: string;
  pid: number | null;
  startedAt: string | null;
}

export interface DaemonSettings {
  enabled: boolean;
  intervalMs: number;
  warnMs: number;
  deadMs: number;
  discoveryTypes: string | null;
  /** Probes find the CMA by multicast instead of being given its address (absent: false). */
  multicast?: boolean;
  /** The hosts run the lab's services (lab/services.ts) (absent: false, labs made before them). */
  services?: boolean;
}

export interface LabState {
  version: 1;
  name: string;
  dir: string;
  /** building: `lab up` is under way (or crashed); up: it finished; failed: it gave up. */
  phase: "building" | "up" | "failed";
  createdAt: string;
  topology: Topology;
  settings: DaemonSettings;
  /** Namespaces created, or about to be. */
  namespaces: string[];
  links: LinkRecord[];
  /** Keyed by host: "cma", "h<i>" (probes), "sw<s>" (lldpd), "h<i>/<service>" (services). */
  daemons: Record<string, DaemonRecord>;
}

export function statePath(dir: string): string {
  return join(dir, STATE_FILE);
}

/** The state in dir; undefined when there is none. Throws when it is unreadable. */
export function readState(dir: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(dir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const state = JSON.parse(text) as LabState;
  if (state.version !== 1 || typeof state.name !== "string") {
    throw new Error(`${statePath(dir)} is not a lab state file this version understands`);
  }
  return state;
}

/**
 * Writes the state synchronously and atomically (temporary file, fsync,
 * rename): the next creation step only starts once it is on disk.
 */
export function writeState(state: LabState): void {
  const path = statePath(state.dir);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
