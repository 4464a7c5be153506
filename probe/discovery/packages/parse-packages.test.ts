import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DPKG_FORMAT,
  parseDpkgQuery,
  parseRpmQuery,
  parseSourceRpm,
  RPM_FORMAT,
} from "./parse-packages.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("query formats", () => {
  it("ask dpkg-query and rpm for six tab-separated fields per package", () => {
    expect(DPKG_FORMAT).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query field syntax
      "${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\t${source:Package}\\t${source:Version}\\n",
    );
    expect(RPM_FORMAT.split("\\t")).toHaveLength(6);
  });
});

describe("parseDpkgQuery", () => {
  it("reads this machine's 736 installed Debian 12 packages", () => {
    const text = fixture("dpkg-query.debian12");
    const { packages, errors } = parseDpkgQuery(text);
    expect(errors).toEqual([]);
    expect(packages).toHaveLength(text.trimEnd().split("\n").length);
    const bash = packages.find((p) => p.name === "bash");
    expect(bash).toEqual({
      name: "bash",
      version: "5.2.15-2+b8",
      arch: "amd64",
      source: "bash",
      source_version: "5.2.15-2",
      manager: "dpkg",
    });
    expect(packages.find((p) => p.name === "libc6")).toMatchObject({
      source: "glibc",
      arch: "amd64",
    });
    expect(packages.find((p) => p.name === "bsdutils")?.version).toBe("1:2.38.1-5+deb12u3");
    expect(packages.find((p) => p.name === "adduser")?.arch).toBe("all");
  });

  it("keeps installed and held packages only, and reports malformed lines by number", () => {
    const { packages, errors } = parseDpkgQuery(fixture("dpkg-query.multiarch"), "dpkg-query");
    expect(packages.map((p) => `${p.name}:${p.arch}`)).toEqual([
      "adduser:all",
      "libc6:amd64",
      "libc6:i386",
      "libstdc++6:amd64",
      "libstdc++6:i386",
      "linux-image-6.1.0-13-amd64:amd64",
      "zlib1g:amd64",
    ]);
    expect(packages.find((p) => p.name.startsWith("linux-image"))).toMatchObject({
      source: "linux-signed-amd64",
      source_version: "6.1.55+1",
    });
    expect(errors).toEqual([
      { where: "dpkg-query:11", message: "expected 6 tab-separated fields, found 4" },
      { where: "dpkg-query:12", message: 'bad package name "Bad Name"' },
      { where: "dpkg-query:13", message: 'badversion: bad version "1.0 beta"' },
    ]);
  });

  it("uses the package's own name and version when dpkg gives no source", () => {
    const { packages } = parseDpkgQuery("foo\t1.0-1\tamd64\tii \t\t\n");
    expect(packages[0]).toMatchObject({ source: "foo", source_version: "1.0-1" });
  });

  it("lists 20 bad lines of binary junk, then counts the rest", () => {
    const junk = "\u0000\u0001\t\u00ff\n".repeat(100);
    const { packages, errors } = parseDpkgQuery(junk, "dpkg-query");
    expect(packages).toEqual([]);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({
      where: "dpkg-query",
      message: "80 more malformed lines not listed (100 in all)",
    });
  });
});

describe("parseRpmQuery", () => {
  it("reads rpm -qa output: epochs, noarch, source RPMs, gpg-pubkey", () => {
    const { packages, errors } = parseRpmQuery(fixture("rpm-qa.rocky9"));
    expect(errors).toEqual([]);
    expect(packages).toHaveLength(11);
    expect(packages[0]).toEqual({
      name: "bash",
      version: "5.1.8-6.el9_1",
      arch: "x86_64",
      source: "bash",
      source_version: "5.1.8-6.el9_1",
      manager: "rpm",
    });
    expect(packages.find((p) => p.name === "openssl")).toMatchObject({
      version: "1:3.0.7-24.el9",
      source_version: "3.0.7-24.el9",
    });
    expect(packages.find((p) => p.name === "gpg-pubkey")).toEqual({
      name: "gpg-pubkey",
      version: "fd431d51-4ae0493b",
      arch: null,
      source: null,
      source_version: null,
      manager: "rpm",
    });
    expect(packages.find((p) => p.name === "python3-setuptools-wheel")).toMatchObject({
      arch: "noarch",
      source: "python-setuptools",
    });
    expect(packages.find((p) => p.name === "nvidia-driver")?.source).toBe("nvidia-driver");
  });

  it("reports lines with the wrong number of fields or bad values", () => {
    const { packages, errors } = parseRpmQuery(
      "a\tb\nok\t(none)\t1\t2\tx86_64\t(none)\nx\t(none)\t1 2\t3\tx86_64\t(none)\n",
      "rpm",
    );
    expect(packages.map((p) => p.name)).toEqual(["ok"]);
    expect(errors).toEqual([
      { where: "rpm:1", message: "expected 6 tab-separated fields, found 2" },
      { where: "rpm:3", message: 'x: bad version "1 2-3"' },
    ]);
  });
});

describe("parseSourceRpm", () => {
  it.each([
    ["bash-5.1.8-6.el9_1.src.rpm", { name: "bash", version: "5.1.8-6.el9_1" }],
    [
      "python-setuptools-53.0.0-12.el9.src.rpm",
      { name: "python-setuptools", version: "53.0.0-12.el9" },
    ],
    [
      "nvidia-driver-535.129.03-1.el9.nosrc.rpm",
      { name: "nvidia-driver", version: "535.129.03-1.el9" },
    ],
    ["(none)", undefined],
    ["noversion.src.rpm", undefined],
  ])("%s", (file, expected) => expect(parseSourceRpm(file)).toEqual(expected));
});
