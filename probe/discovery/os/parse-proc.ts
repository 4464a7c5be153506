/** Small parsers for the /proc files the os type reads; each returns undefined on junk. */

export interface BootTime {
  /** ISO 8601, UTC. */
  iso: string;
  /** Seconds since the Unix epoch. */
  epoch: number;
}

/** The `btime` line of /proc/stat: the time the system booted, in seconds since the epoch. */
export function parseBootTime(procStat: string): BootTime | undefined {
  const match = /^btime[ \t]+(\d{1,12})[ \t]*$/m.exec(procStat);
  if (!match) return undefined;
  const epoch = Number(match[1]);
  const date = new Date(epoch * 1000);
  if (!Number.isSafeInteger(epoch) || Number.isNaN(date.getTime())) return undefined;
  return { iso: date.toISOString().replace(".000Z", "Z"), epoch };
}

/** MemTotal of /proc/meminfo, in bytes (the file says kB, meaning KiB). */
export function parseMemTotalBytes(meminfo: string): number | undefined {
  const match = /^MemTotal:[ \t]+(\d{1,15})[ \t]+kB[ \t]*$/m.exec(meminfo);
  if (!match) return undefined;
  const bytes = Number(match[1]) * 1024;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** True when the first `flags` line of /proc/cpuinfo has the x86 `hypervisor` flag. */
export function hasHypervisorFlag(cpuinfo: string): boolean {
  const match = /^flags[ \t]*:(.*)$/m.exec(cpuinfo);
  return match !== null && (match[1] ?? "").split(/\s+/).includes("hypervisor");
}

/** The kernel's one-line values (/proc/sys/kernel/*): trimmed; "(none)" and "" mean unset. */
export function kernelValue(text: string): string | undefined {
  const value = text.trim();
  return value === "" || value === "(none)" ? undefined : value;
}
