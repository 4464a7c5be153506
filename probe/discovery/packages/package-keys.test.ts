import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyPackages } from "./package-keys.js";
import { parseDpkgQuery, parseRpmQuery } from "./parse-packages.js";
import type { InstalledPackage } from "./types.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("keyPackages", () => {
  it("keys by name, and by name:arch when a name is installed for several architectures", () => {
    const { packages, errors } = keyPackages(
      parseDpkgQuery(fixture("dpkg-query.multiarch")).packages,
    );
    expect(errors).toEqual([]);
    expect(Object.keys(packages)).toEqual([
      "adduser",
      "libc6:amd64",
      "libc6:i386",
      "libstdc++6:amd64",
      "libstdc++6:i386",
      "linux-image-6.1.0-13-amd64",
      "zlib1g",
    ]);
    expect(packages["libc6:i386"]).toMatchObject({ name: "libc6", arch: "i386" });
  });

  it("keys several installed kernels by version, and keeps a repeated entry once", () => {
    const { packages, errors } = keyPackages(parseRpmQuery(fixture("rpm-qa.rocky9")).packages);
    expect(Object.keys(packages)).toEqual([
      "bash",
      "glibc:i686",
      "glibc:x86_64",
      "gpg-pubkey",
      "kernel-core:x86_64:5.14.0-362.13.1.el9_3",
      "kernel-core:x86_64:5.14.0-362.18.1.el9_3",
      "kernel-core:x86_64:5.14.0-362.8.1.el9_3",
      "nvidia-driver",
      "openssl",
      "python3-setuptools-wheel",
    ]);
    expect(errors).toEqual([
      { where: "rpm", message: "bash 5.1.8-6.el9_1 (x86_64) is listed 2 times; kept once" },
    ]);
  });

  it("keeps the same package from two managers apart", () => {
    const both = (manager: "dpkg" | "rpm"): InstalledPackage => ({
      name: "foo",
      version: "1.0-1",
      arch: "noarch",
      source: "foo",
      source_version: "1.0-1",
      manager,
    });
    const { packages, errors } = keyPackages([both("dpkg"), both("rpm")]);
    expect(errors).toEqual([]);
    expect(Object.keys(packages)).toEqual(["foo:noarch:1.0-1:dpkg", "foo:noarch:1.0-1:rpm"]);
  });

  it("is empty for no packages", () => {
    expect(keyPackages([])).toEqual({ packages: {}, errors: [] });
  });
});
