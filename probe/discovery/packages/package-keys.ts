import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import type { InstalledPackage } from "./types.js";

const byName = (p: InstalledPackage) => p.name;
const byArch = (p: InstalledPackage) => `${p.name}:${p.arch ?? "none"}`;
const byVersion = (p: InstalledPackage) => `${byArch(p)}:${p.version}`;
const byManager = (p: InstalledPackage) => `${byVersion(p)}:${p.manager}`;
const LEVELS = [byName, byArch, byVersion, byManager];

/**
 * Keys packages by name. When a name is installed more than once, every copy
 * is keyed more precisely: "name:arch" (multi-arch, e.g. libc6:amd64 and
 * libc6:i386, as dpkg writes them), then "name:arch:version" (rpm keeps
 * several kernels), then with the manager. The `name` field is always there
 * to match "installed package X" whatever the key. Exact duplicates (a
 * damaged rpm database lists some packages twice) are kept once, with an error.
 */
export function keyPackages(packages: InstalledPackage[]): {
  packages: Record<string, InstalledPackage>;
  errors: DiscoveryError[];
} {
  const errors: DiscoveryError[] = [];
  const unique = new Map<string, InstalledPackage>();
  const repeats = new Map<string, number>();
  for (const p of packages) {
    const key = byManager(p);
    if (unique.has(key)) repeats.set(key, (repeats.get(key) ?? 1) + 1);
    else unique.set(key, p);
  }
  for (const [key, count] of repeats) {
    const p = unique.get(key) as InstalledPackage;
    errors.push({
      where: p.manager,
      message: `${p.name} ${p.version} (${p.arch ?? "no arch"}) is listed ${count} times; kept once`,
    });
  }

  const keyed: Record<string, InstalledPackage> = {};
  const place = (group: InstalledPackage[], level: number) => {
    const keyOf = LEVELS[level] ?? byManager;
    const groups = new Map<string, InstalledPackage[]>();
    for (const p of group) {
      const key = keyOf(p);
      const same = groups.get(key);
      if (same) same.push(p);
      else groups.set(key, [p]);
    }
    for (const [key, same] of groups) {
      // byManager keys are unique after de-duplication, so the recursion ends there
      if (same.length === 1 || keyOf === byManager) keyed[key] = same[0] as InstalledPackage;
      else place(same, level + 1);
    }
  };
  place([...unique.values()], 0);
  return { packages: sortedByKey(keyed), errors };
}

function sortedByKey(record: Record<string, InstalledPackage>): Record<string, InstalledPackage> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
