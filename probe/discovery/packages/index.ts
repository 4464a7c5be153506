import type { DiscoveryAgent } from "../agent.js";
import { collectPackages } from "./collect.js";
import type { PackagesData } from "./types.js";

export type { InstalledPackage, PackagesData } from "./types.js";

export const packagesAgent: DiscoveryAgent<PackagesData> = {
  type: "packages",
  description: "Installed packages (dpkg and rpm): name, version, architecture, source",
  collect: collectPackages,
  summarize(data) {
    const count = Object.keys(data.packages).length;
    const managers = data.managers.length ? data.managers.join(", ") : "no package manager";
    return `${count} package${count === 1 ? "" : "s"} (${managers})`;
  },
};
