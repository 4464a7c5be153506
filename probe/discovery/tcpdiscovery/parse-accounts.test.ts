import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorList } from "../error-list.js";
import { MAX_LINE_ERRORS } from "../line-errors.js";
import { parseIdNames } from "./parse-accounts.js";

const etc = join(import.meta.dirname, "fixtures", "host", "root", "etc");

describe("parseIdNames", () => {
  it("maps uids to the first name, passing over comments and NIS compat lines", () => {
    const errors = new ErrorList();
    const names = parseIdNames(readFileSync(join(etc, "passwd"), "utf8"), "/etc/passwd", errors);
    expect([...names]).toEqual([
      [0, "root"],
      [1, "daemon"],
      [33, "www-data"],
      [1000, "alice"],
    ]);
    expect(errors.items).toEqual([
      { where: "/etc/passwd:7", message: 'malformed line "brokenline"' },
    ]);
  });

  it("reads /etc/group the same way", () => {
    const errors = new ErrorList();
    const names = parseIdNames(readFileSync(join(etc, "group"), "utf8"), "/etc/group", errors);
    expect(names.get(33)).toBe("www-data");
    expect(names.get(1234)).toBeUndefined();
    expect(errors.items).toEqual([]);
  });

  it("rejects lines with a non-numeric id or an empty name, and caps the errors", () => {
    const errors = new ErrorList();
    const text = ["bad:x:abc:0::/:/bin/sh", ":x:5:5::/:/bin/sh", "ok:x:7:7::/:/bin/sh"]
      .concat(Array.from({ length: 100 }, () => "\u0000junk"))
      .join("\n");
    const names = parseIdNames(text, "/etc/passwd", errors);
    expect([...names]).toEqual([[7, "ok"]]);
    expect(errors.items.slice(0, 2).map((e) => e.where)).toEqual([
      "/etc/passwd:1",
      "/etc/passwd:2",
    ]);
    expect(errors.items).toHaveLength(MAX_LINE_ERRORS + 1);
  });
});
