/** The daemons' settings `lab up` passes to the CMA, checked before anything is created. */
import { LabOptionError } from "./topology.js";

function positive(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new LabOptionError(`${option} must be a whole number of milliseconds > 0, got ${value}`);
  }
  return value;
}

export function checkTimers(interval: number, warn: number, dead: number): void {
  positive("--interval", interval);
  positive("--warn", warn);
  positive("--dead", dead);
  if (!(interval < warn && warn < dead)) {
    throw new LabOptionError(
      `timers must satisfy --interval < --warn < --dead, got ${interval} < ${warn} < ${dead}`,
    );
  }
}

export function checkDiscoveryTypes(types: string | undefined): string | null {
  if (types === undefined) return null;
  if (!/^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$/.test(types)) {
    throw new LabOptionError(
      `--discovery-types must be a comma-separated list of type names, got ${JSON.stringify(types)}`,
    );
  }
  return types;
}
