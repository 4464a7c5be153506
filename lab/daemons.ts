/**
 * The command lines of the lab's assim daemons: the CMA in the CMA namespace
 * and one probe per host namespace, each the built `assim` run by this Node.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { packageRoot } from "../lib/package-root.js";
import { isAlive, logTail } from "./processes.js";
import type { DaemonRecord, LabState } from "./state.js";
import { LAB_TX_INTERVAL } from "./switch-speaker.js";
import type { HostPlan } from "./topology.js";

export const CMA_PORT = 1984;
export const PROBE_PORT = 1984;

export function assimBin(): string {
  return join(packageRoot(), "bin", "assim.js");
}

function assimCommand(ns: string, args: string[], env: string[] = []): string[] {
  const withEnv = env.length ? ["env", ...env] : [];
  return ["netns", "exec", ns, ...withEnv, process.execPath, assimBin(), ...args];
}

/**
 * A host's cable is a veth, which switch discovery skips by default (it listens
 * on physical Ethernet only): in the lab, eth0 plays the physical port.
 */
const LAB_PROBE_ENV = ["ASSIM_SWITCH_INTERFACES=eth0"];

export function cmaDir(state: LabState): string {
  return join(state.dir, "cma");
}

export function cmaKeyFile(state: LabState): string {
  return join(cmaDir(state), "keys", "cma.pub");
}

export function cmaStatusFile(state: LabState): string {
  return join(cmaDir(state), "cma-status.json");
}

export function hostDir(state: LabState, host: HostPlan): string {
  return join(state.dir, host.name);
}

export function probeStatusFile(state: LabState, host: HostPlan): string {
  return join(hostDir(state, host), "probe-status.json");
}

export function cmaRecord(state: LabState): DaemonRecord {
  const { cma } = state.topology;
  const { settings } = state;
  const dir = cmaDir(state);
  mkdirSync(dir, { recursive: true });
  const args = [
    "cma",
    "--bind",
    settings.multicast ? `0.0.0.0:${CMA_PORT}` : `${cma.address}:${CMA_PORT}`,
    ...(settings.multicast ? ["--multicast", cma.address] : []),
    "--data-dir",
    dir,
    "--interval",
    String(settings.intervalMs),
    "--warn",
    String(settings.warnMs),
    "--dead",
    String(settings.deadMs),
    // The lab's switches speak every LAB_TX_INTERVAL seconds: two of those are enough to listen.
    "--switch-seconds",
    String(2 * LAB_TX_INTERVAL + 2),
  ];
  if (settings.discoveryTypes !== null) args.push("--discovery-types", settings.discoveryTypes);
  return {
    kind: "cma",
    ns: cma.ns,
    command: assimCommand(cma.ns, args),
    log: join(dir, "cma.log"),
    pid: null,
    startedAt: null,
  };
}

export function probeRecord(state: LabState, host: HostPlan): DaemonRecord {
  const { cma } = state.topology;
  const dir = hostDir(state, host);
  mkdirSync(dir, { recursive: true });
  const args = [
    "probe",
    "--cma",
    state.settings.multicast ? "multicast" : `${cma.address}:${CMA_PORT}`,
    "--cma-key",
    cmaKeyFile(state),
    "--bind",
    `${host.address}:${PROBE_PORT}`,
    "--data-dir",
    dir,
    "--machine-id",
    host.machineId,
    "--hostname",
    host.name,
  ];
  return {
    kind: "probe",
    ns: host.ns,
    command: assimCommand(host.ns, args, LAB_PROBE_ENV),
    log: join(dir, "probe.log"),
    pid: null,
    startedAt: null,
  };
}

/** Waits (at most timeoutMs) for the CMA to publish its key; probes cannot start without it. */
export async function waitForCmaKey(
  state: LabState,
  record: DaemonRecord,
  timeoutMs = 30_000,
): Promise<void> {
  const key = cmaKeyFile(state);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(key)) return;
    if (!isAlive(record.pid)) {
      throw new Error(
        `the CMA exited before writing ${key}; the end of ${record.log}:\n${logTail(record.log)}`,
      );
    }
    await sleep(100);
  }
  throw new Error(
    `the CMA did not write ${key} within ${timeoutMs / 1000} s; the end of ${record.log}:\n${logTail(record.log)}`,
  );
}
