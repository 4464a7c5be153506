import type { Topology } from "./types.js";

/** What /sys/devices/system/cpu/cpuN/topology says about one online logical CPU. */
export interface SysfsCpuTopology {
  /** physical_package_id; -1 on some ARM kernels, which do not know it. */
  packageId: number | undefined;
  /** package_cpus_list (older kernels: core_siblings_list): the CPUs of its package. */
  packageCpus: string | undefined;
  /** core_cpus_list (older kernels: thread_siblings_list): the threads of its core. */
  coreCpus: string | undefined;
}

/**
 * Sockets are distinct packages and cores distinct sets of sibling threads, as
 * lscpu counts them. Core ids alone are not enough: they repeat across
 * packages and dies, and have gaps.
 */
export function topologyFromSysfs(cpus: SysfsCpuTopology[]): Topology | undefined {
  if (cpus.length === 0) return undefined;
  const byId = cpus.every((cpu) => cpu.packageId !== undefined && cpu.packageId >= 0);
  const packages = new Set(cpus.map((cpu) => (byId ? String(cpu.packageId) : cpu.packageCpus)));
  const cores = new Set(cpus.map((cpu) => cpu.coreCpus));
  return {
    sockets: packages.has(undefined) ? null : packages.size,
    cores: cores.has(undefined) ? null : cores.size,
  };
}
