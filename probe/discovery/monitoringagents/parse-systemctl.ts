import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { LineErrors } from "../line-errors.js";

export interface UnitFile {
  state: string;
  preset?: string;
}

export interface LoadedUnit {
  load: string;
  active: string;
  sub: string;
}

const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]{1,255}$/;
export const UNIT_TYPES = [
  "service",
  "socket",
  "target",
  "device",
  "mount",
  "automount",
  "swap",
  "timer",
  "path",
  "slice",
  "scope",
];
const STATE = /^[a-z][a-z0-9-]{0,31}$/;

export function unitType(name: string): string | undefined {
  if (!UNIT_NAME.test(name)) return undefined;
  const type = name.slice(name.lastIndexOf(".") + 1);
  return name.includes(".") && UNIT_TYPES.includes(type) ? type : undefined;
}

/**
 * `systemctl list-unit-files` output: JSON (`--output=json`, systemd 250+) or,
 * from older systemd that takes `-o json` for journal output and ignores it
 * here, the plain table ("NAME STATE [PRESET]" with --no-legend).
 */
export function parseUnitFiles(
  stdout: string,
  where: string,
): { units: Map<string, UnitFile>; errors: DiscoveryError[] } {
  const rows = jsonRows(stdout);
  const errors = new LineErrors(where);
  const units = new Map<string, UnitFile>();
  const add = (line: number, name: unknown, state: unknown, preset: unknown) => {
    if (typeof name !== "string" || unitType(name) === undefined) {
      errors.add(line, `not a unit name: ${JSON.stringify(String(name).slice(0, 80))}`);
      return;
    }
    if (typeof state !== "string" || !STATE.test(state)) {
      errors.add(line, `${name}: bad state`);
      return;
    }
    const unit: UnitFile = { state };
    if (typeof preset === "string" && STATE.test(preset)) unit.preset = preset;
    units.set(name, unit);
  };
  if (rows) {
    rows.forEach((row, index) => {
      add(index + 1, row.unit_file, row.state, row.preset);
    });
  } else {
    for (const [index, line] of stdout.split("\n").entries()) {
      const [name, state, preset] = line.trim().split(/\s+/);
      if (!name) continue;
      if (/^UNIT$|^\d+$/.test(name) && /^(FILE|unit)/.test(state ?? "")) continue; // a legend
      add(index + 1, name, state, preset === "-" ? undefined : preset);
    }
  }
  return { units, errors: errors.finish() };
}

/**
 * `systemctl list-units --all` output: JSON rows `{unit, load, active, sub}`
 * or the plain table ("UNIT LOAD ACTIVE SUB DESCRIPTION", maybe led by "●").
 * Units whose file is not found (referenced, never installed) are left out.
 */
export function parseLoadedUnits(
  stdout: string,
  where: string,
): { units: Map<string, LoadedUnit>; errors: DiscoveryError[] } {
  const rows = jsonRows(stdout);
  const errors = new LineErrors(where);
  const units = new Map<string, LoadedUnit>();
  const add = (line: number, name: unknown, load: unknown, active: unknown, sub: unknown) => {
    if (typeof name !== "string" || unitType(name) === undefined) {
      errors.add(line, `not a unit name: ${JSON.stringify(String(name).slice(0, 80))}`);
      return;
    }
    const states = [load, active, sub];
    if (!states.every((s): s is string => typeof s === "string" && STATE.test(s))) {
      errors.add(line, `${name}: bad load, active or sub state`);
      return;
    }
    if (load === "not-found") return;
    units.set(name, { load: load as string, active: active as string, sub: sub as string });
  };
  if (rows) {
    rows.forEach((row, index) => {
      add(index + 1, row.unit, row.load, row.active, row.sub);
    });
  } else {
    for (const [index, line] of stdout.split("\n").entries()) {
      const words = line
        .trim()
        .replace(/^[●*x]\s+/, "")
        .split(/\s+/);
      const [name, load, active, sub] = words;
      if (!name || name === "UNIT") continue;
      add(index + 1, name, load, active, sub);
    }
  }
  return { units, errors: errors.finish() };
}

/** The rows of a JSON array of objects, or undefined when stdout is not one. */
function jsonRows(stdout: string): Array<Record<string, unknown>> | undefined {
  if (!stdout.trimStart().startsWith("[")) return undefined;
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed)) return undefined;
    return parsed.map((row) =>
      typeof row === "object" && row !== null ? (row as Record<string, unknown>) : {},
    );
  } catch {
    return undefined;
  }
}
