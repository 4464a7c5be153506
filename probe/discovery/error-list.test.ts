import { describe, expect, it } from "vitest";
import { boundedErrors, ErrorList, MAX_ERROR_TEXT, MAX_ERRORS, messageOf } from "./error-list.js";

describe("error list", () => {
  it("names the errno code of a system error once", () => {
    const error = Object.assign(new Error("permission denied, open '/proc/1/environ'"), {
      code: "EACCES",
    });
    expect(messageOf(error)).toBe("EACCES: permission denied, open '/proc/1/environ'");
    expect(messageOf(Object.assign(new Error("EACCES: denied"), { code: "EACCES" }))).toBe(
      "EACCES: denied",
    );
    const list = new ErrorList();
    list.add("/proc/net/tcp:7", "malformed line");
    expect(list.items).toEqual([{ where: "/proc/net/tcp:7", message: "malformed line" }]);
  });

  it("clips over-long text to what the envelope schema accepts", () => {
    const [entry] = boundedErrors([{ where: "w".repeat(10_000), message: "m".repeat(5_000) }]);
    expect(entry?.where).toHaveLength(MAX_ERROR_TEXT);
    expect(entry?.message.endsWith("…")).toBe(true);
    expect(entry?.message).toHaveLength(MAX_ERROR_TEXT);
  });

  it("keeps at most MAX_ERRORS entries and says how many were dropped", () => {
    const many = Array.from({ length: MAX_ERRORS + 250 }, (_, i) => ({
      where: `line ${i}`,
      message: "bad",
    }));
    const bounded = boundedErrors(many);
    expect(bounded).toHaveLength(MAX_ERRORS);
    expect(bounded[MAX_ERRORS - 2]?.where).toBe(`line ${MAX_ERRORS - 2}`);
    expect(bounded.at(-1)?.message).toBe("251 more errors not listed");
    expect(boundedErrors(many.slice(0, MAX_ERRORS))).toHaveLength(MAX_ERRORS);
  });
});
