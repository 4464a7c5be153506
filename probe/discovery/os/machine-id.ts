/**
 * The host's machine id (machine-id(5)): its identity in the graph, read by
 * the os discovery and put on every discovery document's envelope.
 */
import { join } from "node:path";
import { checkMachineId } from "./identity.js";
import { readCapped, readCappedSync } from "./read-capped.js";

const MACHINE_ID_FILES = ["etc/machine-id", "var/lib/dbus/machine-id"] as const;

export interface MachineIdReading {
  /** The first valid id of /etc/machine-id and /var/lib/dbus/machine-id, or null. */
  id: string | null;
  /** Why each file read before it (or every file, when id is null) gave no id. */
  problems: string[];
}

function problemOf(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return `${path}: ${code ?? (error as Error).message}`;
}

/** The host's machine id under fsRoot ("/" live): its identity in the graph. */
export async function readMachineId(fsRoot: string): Promise<MachineIdReading> {
  const problems: string[] = [];
  for (const file of MACHINE_ID_FILES) {
    const path = join(fsRoot, file);
    try {
      const check = checkMachineId((await readCapped(path, 64)).text);
      if (check.ok) return { id: check.id, problems };
      problems.push(`${path}: ${check.problem}`);
    } catch (error) {
      problems.push(problemOf(path, error));
    }
  }
  return { id: null, problems };
}

/** readMachineId without promises, for liveContext(). */
export function readMachineIdSync(fsRoot: string): MachineIdReading {
  const problems: string[] = [];
  for (const file of MACHINE_ID_FILES) {
    const path = join(fsRoot, file);
    try {
      const check = checkMachineId(readCappedSync(path, 64).text);
      if (check.ok) return { id: check.id, problems };
      problems.push(`${path}: ${check.problem}`);
    } catch (error) {
      problems.push(problemOf(path, error));
    }
  }
  return { id: null, problems };
}
