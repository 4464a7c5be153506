import { describe, expect, it } from "vitest";
import { interfaceNameProblem, MAX_ALTNAME_BYTES, shownName } from "./interface-name.js";

describe("interfaceNameProblem", () => {
  it("accepts what the kernel accepts: dots, @, unicode, quotes, __proto__", () => {
    for (const name of [
      "eth0",
      "bond0.100",
      "we@ird.n",
      "ünï",
      'q"x\\y',
      "__proto__",
      "a".repeat(15),
    ]) {
      expect(interfaceNameProblem(name), name).toBeUndefined();
    }
  });

  it("refuses what the kernel refuses, control characters and undecodable bytes", () => {
    expect(interfaceNameProblem("")).toBe("empty or a dot name");
    expect(interfaceNameProblem("..")).toBe("empty or a dot name");
    expect(interfaceNameProblem("a/b")).toBe("holds '/', ':' or white space");
    expect(interfaceNameProblem("eth0:1")).toBe("holds '/', ':' or white space");
    expect(interfaceNameProblem("a b")).toBe("holds '/', ':' or white space");
    expect(interfaceNameProblem("c\u0001d")).toBe("holds control characters");
    expect(interfaceNameProblem("a".repeat(16))).toBe("longer than 15 bytes");
    // 8 characters, 16 bytes in UTF-8.
    expect(interfaceNameProblem("ü".repeat(8))).toBe("longer than 15 bytes");
    expect(interfaceNameProblem("bad\ufffd")).toBe("not valid UTF-8");
    expect(interfaceNameProblem("a".repeat(100), MAX_ALTNAME_BYTES)).toBeUndefined();
  });

  it("quotes names for messages so control characters show as escapes", () => {
    expect(shownName("c\u0001d")).toBe('"c\\u0001d"');
    expect(shownName("x".repeat(100))).toBe(`"${"x".repeat(64)}..."`);
  });
});
