export type PackageManager = "dpkg" | "rpm";

/** One installed package. */
export interface InstalledPackage {
  name: string;
  /** As the manager prints it: dpkg "1:2.38.1-5+deb12u3", rpm "[epoch:]version-release". */
  version: string;
  /** "amd64", "all", "x86_64", "noarch"; null for rpm's "(none)" (gpg-pubkey). */
  arch: string | null;
  /** The source package it was built from; null when rpm does not know it. */
  source: string | null;
  source_version: string | null;
  manager: PackageManager;
}

/** The `data` of a `packages` discovery document (schemas/discovery/packages.schema.json). */
export interface PackagesData {
  /** Managers whose database was read; a manager missing here says nothing about its packages. */
  managers: PackageManager[];
  /** Keyed by name; by "name:arch" (then "name:arch:version") when a name is installed twice. */
  packages: Record<string, InstalledPackage>;
}
