import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { CommandError } from "../run-command.js";
import { keyPackages } from "./package-keys.js";
import {
  DPKG_FORMAT,
  type ParsedPackages,
  parseDpkgQuery,
  parseRpmQuery,
  RPM_FORMAT,
} from "./parse-packages.js";
import type { InstalledPackage, PackageManager, PackagesData } from "./types.js";

interface ManagerQuery {
  manager: PackageManager;
  program: string;
  args: string[];
  parse: (text: string, where: string) => ParsedPackages;
}

/** The queries, reading the databases under fsRoot when it is not "/". */
export function managerQueries(fsRoot: string): ManagerQuery[] {
  const elsewhere = fsRoot !== "/";
  return [
    {
      manager: "dpkg",
      program: "dpkg-query",
      args: [
        ...(elsewhere ? [`--admindir=${join(fsRoot, "var/lib/dpkg")}`] : []),
        "-W",
        `-f=${DPKG_FORMAT}`,
      ],
      parse: parseDpkgQuery,
    },
    {
      manager: "rpm",
      program: "rpm",
      args: [
        ...(elsewhere ? ["--dbpath", join(fsRoot, "var/lib/rpm")] : []),
        "-qa",
        "--qf",
        RPM_FORMAT,
      ],
      parse: parseRpmQuery,
    },
  ];
}

const isNotInstalled = (error: unknown) => error instanceof CommandError && error.notInstalled;

/**
 * Asks every package manager present. A manager that is not installed is not
 * an error (Debian has no rpm, Red Hat no dpkg); none at all is one, so that
 * an empty list is never mistaken for "nothing installed".
 */
export async function collectPackages(ctx: CollectContext): Promise<Collected<PackagesData>> {
  const errors = new ErrorList();
  const managers: PackageManager[] = [];
  const found: InstalledPackage[] = [];
  const queries = managerQueries(ctx.fsRoot);
  const ran: string[] = [];
  let installed = 0;

  for (const query of queries) {
    let stdout: string;
    try {
      ({ stdout } = await ctx.run(query.program, query.args));
    } catch (error) {
      if (isNotInstalled(error)) continue;
      installed++;
      errors.add(query.program, error);
      continue;
    }
    installed++;
    managers.push(query.manager);
    ran.push(`${query.program} ${query.args.join(" ")}`);
    const parsed = query.parse(stdout, query.program);
    found.push(...parsed.packages);
    for (const error of parsed.errors) errors.add(error.where, error.message);
  }
  if (installed === 0) {
    errors.add(
      queries.map((query) => query.program).join(", "),
      "no package manager found: neither dpkg-query nor rpm is installed",
    );
  }

  const keyed = keyPackages(found);
  for (const error of keyed.errors) errors.add(error.where, error.message);
  return {
    data: { managers, packages: keyed.packages },
    source: ran.length ? ran.join("; ") : "no package manager answered",
    errors: errors.items,
  };
}
