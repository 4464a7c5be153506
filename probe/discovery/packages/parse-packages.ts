import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { LineErrors } from "../line-errors.js";
import type { InstalledPackage } from "./types.js";

/** The dpkg-query fields asked for, in line order. */
const DPKG_FIELDS = [
  "Package",
  "Version",
  "Architecture",
  "db:Status-Abbrev",
  "source:Package",
  "source:Version",
];

/** dpkg-query's -f format: one tab-separated line per package (dpkg-query expands \t and \n). */
export const DPKG_FORMAT = `${DPKG_FIELDS.map((field) => `\${${field}}`).join("\\t")}\\n`;

/** rpm's query format; %{EPOCH} prints "(none)" when unset, which every rpm version knows. */
export const RPM_FORMAT =
  "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n";

export interface ParsedPackages {
  packages: InstalledPackage[];
  errors: DiscoveryError[];
}

const NAME = /^[A-Za-z0-9_+][A-Za-z0-9_.+-]{0,199}$/;
const VERSION = /^[A-Za-z0-9.+~:^_-]{1,200}$/;
const ARCH = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * dpkg-query -W output in DPKG_FORMAT. Only installed packages are kept: the
 * second status letter is "i" ("ii", or "hi" when held). Removed packages
 * with configuration left ("rc"), half-installed ones and the like are not.
 */
export function parseDpkgQuery(text: string, where = "dpkg-query"): ParsedPackages {
  const errors = new LineErrors(where);
  const packages: InstalledPackage[] = [];
  for (const { lineNumber, fields } of sixFieldLines(text, errors)) {
    const [name, version, arch, status, source, sourceVersion] = fields;
    if (status[1] !== "i") continue;
    const problem = invalidField({ name, version, arch });
    if (problem) {
      errors.add(lineNumber, problem);
      continue;
    }
    packages.push({
      name,
      version,
      arch,
      source: NAME.test(source) ? source : name,
      source_version: VERSION.test(sourceVersion) ? sourceVersion : version,
      manager: "dpkg",
    });
  }
  return { packages, errors: errors.finish() };
}

/** rpm -qa output in RPM_FORMAT. */
export function parseRpmQuery(text: string, where = "rpm"): ParsedPackages {
  const errors = new LineErrors(where);
  const packages: InstalledPackage[] = [];
  for (const { lineNumber, fields } of sixFieldLines(text, errors)) {
    const [name, epoch, upstream, release, rawArch, sourceRpm] = fields;
    const version = `${epoch === "(none)" ? "" : `${epoch}:`}${upstream}-${release}`;
    const arch = rawArch === "(none)" ? null : rawArch;
    const problem = invalidField({ name, version, arch });
    if (problem) {
      errors.add(lineNumber, problem);
      continue;
    }
    const source = parseSourceRpm(sourceRpm);
    packages.push({
      name,
      version,
      arch,
      source: source?.name ?? null,
      source_version: source?.version ?? null,
      manager: "rpm",
    });
  }
  return { packages, errors: errors.finish() };
}

type SixFields = [string, string, string, string, string, string];

/** The non-empty lines of six tab-separated fields; any other line is an error entry. */
function* sixFieldLines(
  text: string,
  errors: LineErrors,
): Generator<{ lineNumber: number; fields: SixFields }> {
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const fields = line.split("\t");
    if (fields.length === 6) yield { lineNumber: index + 1, fields: fields as SixFields };
    else errors.add(index + 1, `expected 6 tab-separated fields, found ${fields.length}`);
  }
}

/** "bash-5.1.8-6.el9.src.rpm" → { name: "bash", version: "5.1.8-6.el9" }. */
export function parseSourceRpm(file: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  if (!match) return undefined;
  const [, name = "", upstream = "", release = ""] = match;
  const version = `${upstream}-${release}`;
  return NAME.test(name) && VERSION.test(version) ? { name, version } : undefined;
}

function invalidField(p: {
  name: string;
  version: string;
  arch: string | null;
}): string | undefined {
  if (!NAME.test(p.name)) return `bad package name ${JSON.stringify(p.name.slice(0, 80))}`;
  if (!VERSION.test(p.version))
    return `${p.name}: bad version ${JSON.stringify(p.version.slice(0, 80))}`;
  if (p.arch !== null && !ARCH.test(p.arch)) {
    return `${p.name}: bad architecture ${JSON.stringify(p.arch.slice(0, 80))}`;
  }
  return undefined;
}
