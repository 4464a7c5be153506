import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { describeCpu, topologyFromCpuinfo } from "./describe-cpu.js";
import { parseCpuinfo } from "./parse-cpuinfo.js";
import { type SysfsCpuTopology, topologyFromSysfs } from "./topology.js";
import type { CpuData } from "./types.js";

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

export async function collectCpu(ctx: CollectContext): Promise<Collected<CpuData>> {
  const errors = new ErrorList();
  const cpuinfoPath = join(ctx.procRoot, "cpuinfo");
  const cpuRoot = join(ctx.sysRoot, "devices/system/cpu");

  let text = "";
  try {
    text = await readFile(cpuinfoPath, "utf8");
  } catch (error) {
    errors.add(cpuinfoPath, error);
  }
  const cpuinfo = parseCpuinfo(text, cpuinfoPath);
  for (const error of cpuinfo.errors) errors.add(error.where, error.message);
  const { cpuinfo_mhz, ...identity } = describeCpu(cpuinfo);

  const sysfsCpus = await readSysfsTopology(cpuRoot, errors);
  const fromSysfs = topologyFromSysfs(sysfsCpus);
  const fromCpuinfo = fromSysfs ? undefined : topologyFromCpuinfo(cpuinfo.processors);
  const maxMhz = await readCpufreqMaxMhz(cpuRoot, errors);

  const topology = fromSysfs ?? fromCpuinfo;
  const data: CpuData = {
    model_name: identity.model_name,
    vendor: identity.vendor,
    family: identity.family,
    model: identity.model,
    stepping: identity.stepping,
    microcode: identity.microcode,
    arm: identity.arm,
    mhz: maxMhz ?? cpuinfo_mhz,
    mhz_source: maxMhz !== null ? "cpufreq" : cpuinfo_mhz !== null ? "cpuinfo" : null,
    cache_size_kb: identity.cache_size_kb,
    sockets: topology?.sockets ?? null,
    cores: topology?.cores ?? null,
    threads: cpuinfo.processors.length || sysfsCpus.length,
    topology_source: fromSysfs ? "sysfs" : fromCpuinfo ? "cpuinfo" : null,
    flags_uniform: identity.flags_uniform,
    bugs: identity.bugs,
    flags: identity.flags,
  };
  return { data, source: `${cpuinfoPath}, ${cpuRoot}/cpu*/topology`, errors: errors.items };
}

/** The topology of every online CPU; an empty list when sysfs has none (then cpuinfo is used). */
async function readSysfsTopology(cpuRoot: string, errors: ErrorList): Promise<SysfsCpuTopology[]> {
  let names: string[];
  try {
    names = (await readdir(cpuRoot)).filter((name) => /^cpu\d+$/.test(name));
  } catch (error) {
    if (!isMissing(error)) errors.add(cpuRoot, error);
    return [];
  }
  names.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const read = async (directory: string, ...files: string[]): Promise<string | undefined> => {
    for (const file of files) {
      const path = join(directory, file);
      try {
        return (await readFile(path, "utf8")).trim();
      } catch (error) {
        if (!isMissing(error)) errors.add(path, error);
      }
    }
    return undefined;
  };
  const cpus = await Promise.all(
    names.map(async (name): Promise<SysfsCpuTopology | undefined> => {
      const directory = join(cpuRoot, name, "topology");
      const packageId = await read(directory, "physical_package_id");
      if (packageId === undefined) return undefined; // offline CPUs have no topology
      return {
        packageId: /^-?\d{1,9}$/.test(packageId) ? Number(packageId) : undefined,
        packageCpus: await read(directory, "package_cpus_list", "core_siblings_list"),
        coreCpus: await read(directory, "core_cpus_list", "thread_siblings_list"),
      };
    }),
  );
  return cpus.filter((cpu) => cpu !== undefined);
}

/** cpufreq's cpuinfo_max_freq of the first CPU, in MHz; null without cpufreq (most VMs). */
async function readCpufreqMaxMhz(cpuRoot: string, errors: ErrorList): Promise<number | null> {
  const path = join(cpuRoot, "cpu0/cpufreq/cpuinfo_max_freq");
  try {
    const khz = (await readFile(path, "utf8")).trim();
    return /^\d{1,10}$/.test(khz) ? Math.round(Number(khz) / 1000) : null;
  } catch (error) {
    if (!isMissing(error)) errors.add(path, error);
    return null;
  }
}
