import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../../lib/atomic-file.js";

/** What `assim neo4j start` records about the DBMS it left running. */
export interface Neo4jState {
  pid: number;
  uri: string;
  port: number;
  home: string;
  version: string;
  log: string;
  startedAt: string;
}

/** `<data-dir>/neo4j/`: the DBMS home, its console output and the state file. */
export function neo4jDir(dataDir: string): string {
  return join(dataDir, "neo4j");
}

export const statePath = (dataDir: string): string => join(neo4jDir(dataDir), "state.json");

export function readState(dataDir: string): Neo4jState | undefined {
  const path = statePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let state: Partial<Neo4jState>;
  try {
    state = JSON.parse(text) as Partial<Neo4jState>;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); remove it`);
  }
  if (!Number.isInteger(state.pid) || typeof state.uri !== "string" || !state.home) {
    throw new Error(`${path} lacks pid, uri or home; remove it`);
  }
  return state as Neo4jState;
}

export async function writeState(dataDir: string, state: Neo4jState): Promise<void> {
  await writeFileAtomic(statePath(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function removeState(dataDir: string): void {
  rmSync(statePath(dataDir), { force: true });
}

/**
 * Whether the recorded pid is still our launcher for this home, not a process that
 * reused the pid after a reboot or a crash.
 */
export function isLauncherRunning(state: Pick<Neo4jState, "pid" | "home">): boolean {
  try {
    process.kill(state.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const argv = readFileSync(`/proc/${state.pid}/cmdline`, "utf8").split("\0");
    return argv.includes("Launcher") && argv.includes(state.home);
  } catch {
    return false;
  }
}
