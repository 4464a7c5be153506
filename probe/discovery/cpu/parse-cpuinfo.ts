import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { LineErrors } from "../line-errors.js";

/** One "key : value" section of /proc/cpuinfo. */
export type CpuinfoFields = Record<string, string>;

export interface ParsedCpuinfo {
  /** One entry per logical processor, in file order. */
  processors: CpuinfoFields[];
  /**
   * Lines outside any processor section: the trailing "Hardware/Revision/Serial"
   * block of 32-bit ARM, the leading "Processor : AArch64 ..." of old arm64
   * kernels, or s390's header. Processors fall back to these.
   */
  shared: CpuinfoFields;
  errors: DiscoveryError[];
}

const MAX_KEY = 64;
const MAX_VALUE = 16 * 1024;

/**
 * Splits /proc/cpuinfo into processors. A "processor : N" line starts a new
 * processor and a blank line ends it, which fits x86 and arm64 (one section per
 * processor) as well as old ARM kernels (shared lines before or after them).
 */
export function parseCpuinfo(text: string, where: string): ParsedCpuinfo {
  const processors: CpuinfoFields[] = [];
  const shared: CpuinfoFields = {};
  const malformed = new LineErrors(where);
  let current: CpuinfoFields | undefined;

  for (const [index, raw] of text.split("\n").entries()) {
    if (raw.trim() === "") {
      current = undefined;
      continue;
    }
    const colon = raw.indexOf(":");
    const key = colon > 0 ? raw.slice(0, colon).trim() : "";
    const value = colon > 0 ? raw.slice(colon + 1).trim() : "";
    if (key === "" || key.length > MAX_KEY || value.length > MAX_VALUE) {
      malformed.add(index + 1, "not a `key : value` line");
      continue;
    }
    if (key === "processor" && /^\d+$/.test(value)) {
      current = { processor: value };
      processors.push(current);
      continue;
    }
    (current ?? shared)[key] = value;
  }
  return { processors, shared, errors: malformed.finish() };
}
