/**
 * Removes a lab, whatever state it is in: the namespaces its state file
 * names plus any leftover with its name prefix, every process inside them
 * (SIGTERM, then SIGKILL after a bounded wait), and its directory.
 * Idempotent: nothing to remove is a success.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { listNamespaces, namespacePids } from "./netns.js";
import { isOurs, terminate } from "./processes.js";
import { DEFAULT_ROOT, type LabState, readState, statePath } from "./state.js";
import { labNamespacePattern } from "./topology.js";

export interface TeardownReport {
  namespaces: string[];
  /** Processes signalled. */
  stopped: number;
  /** Processes that outlived SIGKILL (normally none). */
  survivors: number[];
  dirRemoved: boolean;
  /** Why the directory was left in place, if it was. */
  dirLeft?: string;
}

const GRACE_MS = 5000;

function labNamespaces(name: string, state: LabState | undefined): string[] {
  const present = listNamespaces();
  const patterns = [labNamespacePattern(name)];
  if (state && state.name !== name) patterns.push(labNamespacePattern(state.name));
  const wanted = new Set(state?.namespaces ?? []);
  for (const ns of present) if (patterns.some((p) => p.test(ns))) wanted.add(ns);
  return present.filter((ns) => wanted.has(ns));
}

function removeDir(dir: string, hasState: boolean): Pick<TeardownReport, "dirRemoved" | "dirLeft"> {
  if (!existsSync(dir)) return { dirRemoved: true };
  // A directory that never held a lab's state is not ours to empty.
  if (!hasState && readdirSync(dir).length > 0) {
    return { dirRemoved: false, dirLeft: `${dir} holds no ${statePath(dir)}; left in place` };
  }
  rmSync(dir, { recursive: true, force: true });
  if (dirname(dir) === DEFAULT_ROOT) {
    try {
      rmdirSync(DEFAULT_ROOT);
    } catch {
      // Other labs still live there.
    }
  }
  return { dirRemoved: true };
}

export async function tearDown(
  name: string,
  dir: string,
  progress: (line: string) => void = () => undefined,
): Promise<TeardownReport> {
  let state: LabState | undefined;
  let hasState = existsSync(statePath(dir));
  try {
    state = readState(dir);
  } catch (error) {
    progress(`the state file is unreadable (${(error as Error).message}); going by name`);
    hasState = true;
  }
  const namespaces = labNamespaces(name, state);

  // Probes first, while the CMA can still acknowledge their shutdown; then the rest.
  const hostNs = namespaces.filter((ns) => /-h\d+$/.test(ns));
  const otherNs = namespaces.filter((ns) => !hostNs.includes(ns));
  // Daemons recorded in the state but no longer in a named namespace (a crash between steps).
  const recorded = Object.values(state?.daemons ?? {})
    .filter((d) => isOurs(d.pid, d.ns, dir))
    .map((d) => d.pid as number);
  let stopped = 0;
  const survivors: number[] = [];
  for (const group of [hostNs, otherNs]) {
    const pids = [
      ...new Set([...group.flatMap(namespacePids), ...(group === otherNs ? recorded : [])]),
    ];
    if (pids.length === 0) continue;
    progress(`stopping ${pids.length} process(es) in ${group.length} namespace(s)`);
    stopped += pids.length;
    survivors.push(...(await terminate(pids, "SIGTERM", GRACE_MS)));
  }

  if (namespaces.length > 0) progress(`deleting ${namespaces.length} namespace(s)`);
  const failures: string[] = [];
  for (const ns of namespaces) {
    const result = spawnSync("ip", ["netns", "del", ns], { encoding: "utf8" });
    if (result.status !== 0) failures.push(`${ns}: ${result.stderr.trim()}`);
  }
  const remaining = labNamespaces(name, state);
  if (remaining.length > 0) {
    throw new Error(
      `could not delete namespace(s) ${remaining.join(", ")}${failures.length ? `: ${failures.join("; ")}` : ""}`,
    );
  }
  return { namespaces, stopped, survivors, ...removeDir(dir, hasState) };
}
