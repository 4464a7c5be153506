/**
 * Names of ARM CPU implementers and parts (MIDR fields, as /proc/cpuinfo shows
 * "CPU implementer" and "CPU part"), for the server and board CPUs most often
 * met. The same codes as util-linux lscpu; unknown codes stay as numbers.
 */
const IMPLEMENTERS: Record<number, string> = {
  65: "ARM",
  66: "Broadcom",
  67: "Cavium",
  70: "Fujitsu",
  72: "HiSilicon",
  78: "NVIDIA",
  80: "APM",
  81: "Qualcomm",
  97: "Apple",
  109: "Microsoft",
  192: "Ampere",
};

const PARTS: Record<number, Record<number, string>> = {
  65: {
    3331: "Cortex-A53",
    3332: "Cortex-A35",
    3333: "Cortex-A55",
    3335: "Cortex-A57",
    3336: "Cortex-A72",
    3337: "Cortex-A73",
    3338: "Cortex-A75",
    3339: "Cortex-A76",
    3340: "Neoverse-N1",
    3341: "Cortex-A77",
    3392: "Neoverse-V1",
    3393: "Cortex-A78",
    3396: "Cortex-X1",
    3398: "Cortex-A510",
    3399: "Cortex-A710",
    3400: "Cortex-X2",
    3401: "Neoverse-N2",
    3407: "Neoverse-V2",
    3456: "Cortex-A520",
    3457: "Cortex-A720",
  },
  67: { 175: "ThunderX2 99xx" },
  70: { 1: "A64FX" },
  72: { 3329: "Kunpeng-920" },
  78: { 4: "Carmel" },
  192: { 2755: "Ampere-1", 2756: "Ampere-1a" },
};

/** A "0x41"-style cpuinfo code as a number, or undefined. */
export function armCode(text: string | undefined): number | undefined {
  return text !== undefined && /^0x[0-9a-f]{1,8}$/i.test(text)
    ? Number.parseInt(text, 16)
    : undefined;
}

export function armImplementerName(implementer: number | undefined): string | undefined {
  return implementer === undefined ? undefined : IMPLEMENTERS[implementer];
}

export function armPartName(
  implementer: number | undefined,
  part: number | undefined,
): string | undefined {
  if (implementer === undefined || part === undefined) return undefined;
  return PARTS[implementer]?.[part];
}
