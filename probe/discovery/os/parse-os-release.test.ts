import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FIELDS, parseOsRelease, unquote } from "./parse-os-release.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("parseOsRelease", () => {
  it("reads Debian 12's os-release field by field", () => {
    const { release, errors } = parseOsRelease(fixture("os-release.debian12"), "/etc/os-release");
    expect(errors).toEqual([]);
    expect(release).toEqual({
      PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)",
      NAME: "Debian GNU/Linux",
      VERSION_ID: "12",
      VERSION: "12 (bookworm)",
      VERSION_CODENAME: "bookworm",
      ID: "debian",
      HOME_URL: "https://www.debian.org/",
      SUPPORT_URL: "https://www.debian.org/support",
      BUG_REPORT_URL: "https://bugs.debian.org/",
    });
  });

  it("handles every quoting form and reports each malformed line with its number", () => {
    const { release, errors } = parseOsRelease(fixture("os-release.quirky"), "os-release");
    expect(release.NAME).toBe("Example Linux");
    expect(release.ID).toBe("example");
    expect(release.ID_LIKE).toEqual(["rhel", "centos", "fedora"]);
    expect(release.PRETTY_NAME).toBe('Example "Quoted" Linux $5 `tick` back\\slash');
    expect(release.VERSION).toBe("9.3 (Plow)");
    expect(release.VERSION_ID).toBe("9.3");
    expect(release.VARIANT).toBe("Server Edition");
    expect(release.LITERAL).toBe("no \\escapes here");
    expect(release.KEEP_BACKSLASH).toBe("a\\b");
    expect(release.INDENTED).toBe("yes");
    expect(release.UNQUOTED_BLANKS).toBe("two words");
    expect(Object.keys(release)).not.toContain("BROKEN");
    expect(Object.keys(release)).not.toContain("MIXED");
    expect(errors.map((e) => e.where)).toEqual([
      "os-release:13",
      "os-release:14",
      "os-release:15",
      "os-release:16",
    ]);
    expect(errors[1]?.message).toContain("BROKEN");
  });

  it("refuses control characters and overlong values, and caps the number of fields", () => {
    const many = Array.from({ length: MAX_FIELDS + 5 }, (_, i) => `K${i}=v`).join("\n");
    const text = `A="bell\u0007"\nB=${"x".repeat(2000)}\n${many}\n`;
    const { release, errors } = parseOsRelease(text, "f");
    expect(release.A).toBeUndefined();
    expect(release.B).toBeUndefined();
    expect(Object.keys(release)).toHaveLength(MAX_FIELDS);
    expect(errors.map((e) => e.where)).toEqual(["f:1", "f:2", `f:${MAX_FIELDS + 3}`]);
  });

  it("lists at most 20 malformed lines from binary junk, then counts the rest", () => {
    const junk = Array.from({ length: 500 }, () => "\u0000\u00ff junk").join("\n");
    const { release, errors } = parseOsRelease(junk, "junk");
    expect(release).toEqual({});
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({
      where: "junk",
      message: "480 more malformed lines not listed (500 in all)",
    });
  });

  it("ID_LIKE of blanks only is an empty list", () => {
    expect(parseOsRelease('ID_LIKE="  "', "f").release.ID_LIKE).toEqual([]);
  });
});

describe("unquote", () => {
  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\"b'", 'a"b'],
    ['""', ""],
    ["plain", "plain"],
    ["a\\ b", "a b"],
  ])("%s → %s", (raw, value) => expect(unquote(raw)).toBe(value));

  it.each(['"a', "'a", '"a\\"', "a'b", "'a'b'", "trailing\\", '"x"y"'])("%s is refused", (raw) =>
    expect(unquote(raw)).toBeUndefined(),
  );
});
