import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { CommandError } from "../run-command.js";
import { listExecutables, listOcfAgents } from "./list-agents.js";
import { parseLoadedUnits, parseUnitFiles, unitType } from "./parse-systemctl.js";
import type { MonitoringAgentsData, SystemdUnit } from "./types.js";

export const OCF_ROOT = "usr/lib/ocf/resource.d";
export const LSB_DIRECTORY = "etc/init.d";
/** Debian and SUSE put the plugins under lib, Red Hat under lib64. */
export const NAGIOS_DIRECTORIES = ["usr/lib/nagios/plugins", "usr/lib64/nagios/plugins"];

const isNotInstalled = (error: unknown) => error instanceof CommandError && error.notInstalled;

/** Lists the monitoring agents installed: names only, nothing is run. */
export async function collectMonitoringAgents(
  ctx: CollectContext,
): Promise<Collected<MonitoringAgentsData>> {
  const errors = new ErrorList();
  const fs = (path: string) => join(ctx.fsRoot, path);

  const ocf = await listOcfAgents(fs(OCF_ROOT), errors);
  const lsb = await listExecutables(fs(LSB_DIRECTORY), "lsb", errors);
  const nagios = new Set<string>();
  for (const directory of NAGIOS_DIRECTORIES) {
    for (const name of await listExecutables(fs(directory), "nagios", errors)) nagios.add(name);
  }
  const systemdRunning = await isDirectory(fs("run/systemd/system"));
  const data: MonitoringAgentsData = {
    ocf,
    lsb,
    nagios: [...nagios].sort(),
    systemd: await systemdUnits(ctx, systemdRunning, errors),
    systemd_running: systemdRunning,
  };
  const source = [
    fs(OCF_ROOT),
    fs(LSB_DIRECTORY),
    ...NAGIOS_DIRECTORIES.map(fs),
    "systemctl list-unit-files",
    ...(systemdRunning ? ["systemctl list-units --type=service"] : []),
  ].join(", ");
  return { data, source, errors: errors.items };
}

/**
 * Unit files (readable without a running systemd), then, when systemd is the
 * running init, the live state of services (an image mounted as fsRoot has an
 * empty /run, so it never asks the host's systemd about it). No systemctl at
 * all means no systemd, which is not an error.
 */
async function systemdUnits(
  ctx: CollectContext,
  systemdRunning: boolean,
  errors: ErrorList,
): Promise<Record<string, SystemdUnit>> {
  const units = new Map<string, SystemdUnit>();
  const root = ctx.fsRoot === "/" ? [] : [`--root=${ctx.fsRoot}`];
  const listFiles = ["list-unit-files", ...root, "--no-pager", "--no-legend", "--output=json"];
  try {
    const { stdout } = await ctx.run("systemctl", listFiles);
    const parsed = parseUnitFiles(stdout, "systemctl list-unit-files");
    for (const error of parsed.errors) errors.add(error.where, error.message);
    for (const [name, file] of parsed.units) {
      units.set(name, { type: unitType(name) as string, ...file });
    }
  } catch (error) {
    if (isNotInstalled(error)) return {};
    errors.add("systemctl list-unit-files", error);
  }

  if (systemdRunning) {
    const listUnits = [
      "list-units",
      "--type=service",
      "--all",
      "--no-pager",
      "--no-legend",
      "--plain",
      "--output=json",
    ];
    try {
      const { stdout } = await ctx.run("systemctl", listUnits);
      const parsed = parseLoadedUnits(stdout, "systemctl list-units");
      for (const error of parsed.errors) errors.add(error.where, error.message);
      for (const [name, loaded] of parsed.units) {
        const unit = units.get(name) ?? { type: unitType(name) as string, state: null };
        units.set(name, { ...unit, active: loaded.active, sub: loaded.sub });
      }
    } catch (error) {
      errors.add("systemctl list-units", error);
    }
  }
  return Object.fromEntries([...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
