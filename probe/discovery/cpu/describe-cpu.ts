import { armCode, armImplementerName, armPartName } from "./arm-parts.js";
import type { CpuinfoFields, ParsedCpuinfo } from "./parse-cpuinfo.js";
import type { ArmIdentity, Topology } from "./types.js";

export interface CpuIdentity {
  model_name: string | null;
  vendor: string | null;
  family: number | null;
  model: number | null;
  stepping: number | null;
  microcode: string | null;
  arm: ArmIdentity | null;
  /** "cpu MHz" of the first processor, rounded. */
  cpuinfo_mhz: number | null;
  cache_size_kb: number | null;
  flags: string[];
  flags_uniform: boolean;
  bugs: string[];
}

const MAX_TEXT = 256;
const FLAG = /^[A-Za-z0-9_.+-]{1,64}$/;
const MAX_FLAGS = 2048;

/** What the processors are, from the first one (falling back to shared lines). */
export function describeCpu(cpuinfo: ParsedCpuinfo): CpuIdentity {
  const first: CpuinfoFields = { ...cpuinfo.shared, ...cpuinfo.processors[0] };
  const field = (key: string) => text(first[key]);
  const flagsOf = (fields: CpuinfoFields) =>
    wordList(fields.flags ?? fields.Features ?? fields.features ?? cpuinfo.shared.Features);
  const flags = flagsOf(first);
  const flagKey = flags.join(" ");

  const implementer = armCode(first["CPU implementer"]);
  const part = armCode(first["CPU part"]);
  const arm: ArmIdentity | null =
    implementer === undefined
      ? null
      : {
          implementer: hex(implementer),
          part: part === undefined ? null : hex(part),
          variant: (() => {
            const variant = armCode(first["CPU variant"]);
            return variant === undefined ? null : hex(variant);
          })(),
          revision: integer(first["CPU revision"]),
          architecture: field("CPU architecture"),
        };

  return {
    model_name:
      armPartName(implementer, part) ?? field("model name") ?? field("Processor") ?? field("cpu"),
    vendor: field("vendor_id") ?? armImplementerName(implementer) ?? null,
    family: integer(first["cpu family"]),
    model: integer(first.model),
    stepping: integer(first.stepping),
    microcode: field("microcode"),
    arm,
    cpuinfo_mhz: megahertz(first["cpu MHz"]),
    cache_size_kb: kilobytes(first["cache size"]),
    flags,
    flags_uniform: cpuinfo.processors.every(
      (processor) => flagsOf({ ...cpuinfo.shared, ...processor }).join(" ") === flagKey,
    ),
    bugs: wordList(first.bugs),
  };
}

/** Sockets are distinct "physical id"s, cores distinct (physical id, core id) pairs. */
export function topologyFromCpuinfo(processors: CpuinfoFields[]): Topology | undefined {
  const packages = new Set<string>();
  const cores = new Set<string>();
  for (const processor of processors) {
    const packageId = processor["physical id"];
    const coreId = processor["core id"];
    if (packageId === undefined || coreId === undefined) return undefined;
    packages.add(packageId);
    cores.add(`${packageId}/${coreId}`);
  }
  return processors.length === 0 ? undefined : { sockets: packages.size, cores: cores.size };
}

function text(value: string | undefined): string | null {
  return value === undefined || value === "" || value.length > MAX_TEXT ? null : value;
}

function integer(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function hex(code: number): string {
  return `0x${code.toString(16)}`;
}

function megahertz(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,7}(\.\d+)?$/.test(value)) return null;
  return Math.round(Number(value));
}

function kilobytes(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d{1,9}) ?KB$/i.exec(value);
  return match ? Number(match[1]) : null;
}

function wordList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const words = new Set(value.split(/\s+/).filter((word) => FLAG.test(word)));
  return [...words].sort().slice(0, MAX_FLAGS);
}
