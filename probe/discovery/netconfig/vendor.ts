/**
 * NIC makers from the IEEE registry (the oui-data package). The registry is a
 * 5.6 MB JSON file that takes ~100 ms to load, so it is loaded on the first
 * lookup only: hosts whose NICs are all virtual never load it.
 */
import { createRequire } from "node:module";

type Registry = Record<string, string>;

let registry: Registry | undefined;

function load(): Registry {
  registry ??= createRequire(import.meta.url)("oui-data") as Registry;
  return registry;
}

/** Registry prefixes are 9 (MA-S), 7 (MA-M) or 6 (MA-L) hex digits; the longest match wins. */
const PREFIX_LENGTHS = [9, 7, 6];
const MAX_VENDOR = 256;

/**
 * The registered organisation of a MAC's prefix (first line of the registry
 * entry), or null when it has none or is listed as "Private".
 */
export function vendorOf(mac: string, lookup: () => Registry = load): string | null {
  const hex = mac.replaceAll(":", "").toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) return null;
  const entries = lookup();
  for (const length of PREFIX_LENGTHS) {
    const entry = Object.hasOwn(entries, hex.slice(0, length))
      ? entries[hex.slice(0, length)]
      : undefined;
    if (entry === undefined) continue;
    const name = entry.split("\n")[0]?.trim() ?? "";
    return name === "" || name === "Private" ? null : name.slice(0, MAX_VENDOR);
  }
  return null;
}
