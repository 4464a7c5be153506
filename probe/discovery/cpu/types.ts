/** The `data` of a `cpu` discovery document (schemas/discovery/cpu.schema.json). */
export interface CpuData {
  /** "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz"; for ARM the core name ("Neoverse-N1"). */
  model_name: string | null;
  /** x86 vendor_id ("GenuineIntel", "AuthenticAMD") or the ARM implementer's name. */
  vendor: string | null;
  /** x86 family, model and stepping; null elsewhere. */
  family: number | null;
  model: number | null;
  stepping: number | null;
  microcode: string | null;
  /** ARM identification (MIDR fields as /proc/cpuinfo shows them); null on x86. */
  arm: ArmIdentity | null;
  /** Maximum frequency from cpufreq, else the nominal "cpu MHz" of /proc/cpuinfo. */
  mhz: number | null;
  mhz_source: "cpufreq" | "cpuinfo" | null;
  cache_size_kb: number | null;
  /** Physical packages. */
  sockets: number | null;
  /** Physical cores, all sockets together. */
  cores: number | null;
  /** Logical processors (hardware threads) online. */
  threads: number;
  topology_source: "sysfs" | "cpuinfo" | null;
  /** Sorted, unique; from the first processor. */
  flags: string[];
  /** False when some processor lists other flags than the first (mixed or hot-plugged CPUs). */
  flags_uniform: boolean;
  /** Hardware bugs the kernel works around (x86 "bugs"), sorted. */
  bugs: string[];
}

export interface ArmIdentity {
  implementer: string;
  part: string | null;
  variant: string | null;
  revision: number | null;
  architecture: string | null;
}

export interface Topology {
  sockets: number | null;
  cores: number | null;
}
