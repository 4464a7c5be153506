import { access, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { fqdnFromHosts, zoneFromLocaltimeLink, zoneFromTimezoneFile } from "./identity.js";
import { readMachineId } from "./machine-id.js";
import { hasControlCharacters, type OsRelease, parseOsRelease } from "./parse-os-release.js";
import { hasHypervisorFlag, kernelValue, parseBootTime, parseMemTotalBytes } from "./parse-proc.js";

export { readMachineId, readMachineIdSync } from "./machine-id.js";

import { readCapped } from "./read-capped.js";
import type { OsData } from "./types.js";
import { detectVirtualization } from "./virtualization.js";

const SMALL_FILE = 64 * 1024;
const HOSTS_FILE = 1024 * 1024;
const MAX_KERNEL_VALUE = 256;
const MAX_DMI_VALUE = 256;

/** DMI files worth a CMDB record; product_serial and product_uuid are readable by root only. */
export const DMI_FIELDS = [
  "sys_vendor",
  "product_name",
  "product_version",
  "product_serial",
  "product_uuid",
  "board_vendor",
  "board_name",
  "chassis_vendor",
  "chassis_type",
  "bios_vendor",
  "bios_version",
  "bios_date",
] as const;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";
const isDenied = (error: unknown) =>
  ["EACCES", "EPERM"].includes((error as NodeJS.ErrnoException).code ?? "");

export async function collectOs(ctx: CollectContext): Promise<Collected<OsData>> {
  const errors = new ErrorList();
  const proc = (path: string) => join(ctx.procRoot, path);
  const sys = (path: string) => join(ctx.sysRoot, path);
  const fs = (path: string) => join(ctx.fsRoot, path);

  /** A small file that must exist; a failure is an error entry. */
  const readRequired = async (path: string): Promise<string | undefined> => {
    try {
      const { text, truncated } = await readCapped(path, SMALL_FILE);
      if (truncated) errors.add(path, `larger than ${SMALL_FILE} bytes; only the start was read`);
      return text;
    } catch (error) {
      errors.add(path, error);
      return undefined;
    }
  };
  /** A small file whose absence is normal (e.g. DMI on a VM without it). */
  const readOptional = async (path: string, maxBytes = SMALL_FILE): Promise<string | undefined> => {
    try {
      return (await readCapped(path, maxBytes)).text;
    } catch (error) {
      if (!isMissing(error) && !isDenied(error)) errors.add(path, error);
      return undefined;
    }
  };
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );

  const kernelField = async (name: string): Promise<string | null> => {
    const path = proc(`sys/kernel/${name}`);
    const text = await readRequired(path);
    if (text === undefined) return null;
    const value = kernelValue(text);
    if (value === undefined) return null;
    if (value.length > MAX_KERNEL_VALUE || hasControlCharacters(value)) {
      errors.add(path, "value is too long or holds control characters; left out");
      return null;
    }
    return value;
  };

  const hostname = await kernelField("hostname");
  const hostsText = await readOptional(fs("etc/hosts"), HOSTS_FILE);

  const dmi: Record<string, string> = {};
  for (const field of DMI_FIELDS) {
    const value = (await readOptional(sys(`class/dmi/id/${field}`)))?.trim();
    if (!value) continue;
    if (value.length > MAX_DMI_VALUE || hasControlCharacters(value)) {
      errors.add(sys(`class/dmi/id/${field}`), "value is too long or holds control characters");
      continue;
    }
    dmi[field] = value;
  }

  const stat = await readFileOrError(proc("stat"), errors);
  const bootTime = stat === undefined ? undefined : parseBootTime(stat);
  if (stat !== undefined && !bootTime) errors.add(proc("stat"), "no valid btime line");
  const meminfo = await readFileOrError(proc("meminfo"), errors);
  const memory = meminfo === undefined ? undefined : parseMemTotalBytes(meminfo);
  if (meminfo !== undefined && memory === undefined) {
    errors.add(proc("meminfo"), "no valid MemTotal line");
  }

  const cpuinfo = await readFileOrError(proc("cpuinfo"), errors);
  const virtualization = detectVirtualization({
    cpuHypervisorFlag: cpuinfo !== undefined && hasHypervisorFlag(cpuinfo),
    sysHypervisorType: await readOptional(sys("hypervisor/type")),
    dmi,
    systemdContainer: await readOptional(fs("run/systemd/container")),
    dockerenv: await exists(fs(".dockerenv")),
    containerenv: await exists(fs("run/.containerenv")),
    initCgroup: await readOptional(proc("1/cgroup")),
  });

  const data: OsData = {
    hostname,
    fqdn: hostname === null ? null : (fqdnFromHosts(hostname, hostsText) ?? null),
    nis_domain: await kernelField("domainname"),
    machine_id: await machineId(fs, errors),
    os_release: await osRelease(fs, errors),
    kernel: {
      name: await kernelField("ostype"),
      release: await kernelField("osrelease"),
      version: await kernelField("version"),
    },
    architecture: await architecture(ctx, proc("sys/kernel/arch"), errors),
    boot_time: bootTime?.iso ?? null,
    boot_time_epoch: bootTime?.epoch ?? null,
    memory_total_bytes: memory ?? null,
    timezone: await timezone(fs, readOptional),
    virtualization,
    dmi,
  };
  const source = [
    fs("etc/os-release"),
    fs("etc/machine-id"),
    proc("sys/kernel"),
    proc("stat"),
    proc("meminfo"),
    sys("class/dmi/id"),
    fs("etc/timezone"),
    fs("etc/hosts"),
  ].join(", ");
  return { data, source, errors: errors.items };
}

async function readFileOrError(path: string, errors: ErrorList): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    errors.add(path, error);
    return undefined;
  }
}

async function machineId(fs: (path: string) => string, errors: ErrorList): Promise<string | null> {
  const reading = await readMachineId(fs(""));
  if (reading.id !== null) return reading.id;
  errors.add(
    fs("etc/machine-id"),
    `no valid machine id, so this system has no identity in the graph (${reading.problems.join("; ")})`,
  );
  return null;
}

async function osRelease(
  fs: (path: string) => string,
  errors: ErrorList,
): Promise<OsRelease | null> {
  const candidates = [fs("etc/os-release"), fs("usr/lib/os-release")];
  for (const path of candidates) {
    let text: string;
    try {
      const read = await readCapped(path, SMALL_FILE);
      if (read.truncated)
        errors.add(path, `larger than ${SMALL_FILE} bytes; only the start was read`);
      text = read.text;
    } catch (error) {
      if (isMissing(error)) continue;
      errors.add(path, error);
      return null;
    }
    const parsed = parseOsRelease(text, path);
    for (const error of parsed.errors) errors.add(error.where, error.message);
    return parsed.release;
  }
  errors.add(candidates.join(" or "), "no os-release file");
  return null;
}

/** /proc/sys/kernel/arch (Linux 6.1+), else `uname -m`. */
async function architecture(
  ctx: CollectContext,
  archPath: string,
  errors: ErrorList,
): Promise<string | null> {
  try {
    const arch = kernelValue(await readFile(archPath, "utf8"));
    if (arch && /^[A-Za-z0-9_.-]{1,32}$/.test(arch)) return arch;
  } catch (error) {
    if (!isMissing(error)) errors.add(archPath, error);
  }
  try {
    const arch = (await ctx.run("uname", ["-m"])).stdout.trim();
    if (/^[A-Za-z0-9_.-]{1,32}$/.test(arch)) return arch;
    errors.add("uname -m", "unexpected output");
  } catch (error) {
    errors.add("uname -m", error);
  }
  return null;
}

async function timezone(
  fs: (path: string) => string,
  readOptional: (path: string) => Promise<string | undefined>,
): Promise<string | null> {
  const file = await readOptional(fs("etc/timezone"));
  const fromFile = file === undefined ? undefined : zoneFromTimezoneFile(file);
  if (fromFile) return fromFile;
  try {
    return zoneFromLocaltimeLink(await readlink(fs("etc/localtime"))) ?? null;
  } catch {
    return null; // no link (a copied file, or no /etc/localtime): the zone is not named anywhere
  }
}
