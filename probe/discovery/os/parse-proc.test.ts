import { describe, expect, it } from "vitest";
import { hasHypervisorFlag, kernelValue, parseBootTime, parseMemTotalBytes } from "./parse-proc.js";

describe("parseBootTime", () => {
  it("reads btime from /proc/stat as ISO 8601 and epoch seconds", () => {
    const stat = "cpu  1 2 3\nintr 5\nbtime 1795466459\nprocesses 10\n";
    expect(parseBootTime(stat)).toEqual({ iso: "2026-11-23T20:40:59Z", epoch: 1795466459 });
  });

  it.each(["cpu 1 2 3\n", "btime\n", "btime -5\n", "btime 12abc\n", "xbtime 5\n"])(
    "returns undefined for %j",
    (stat) => expect(parseBootTime(stat)).toBeUndefined(),
  );
});

describe("parseMemTotalBytes", () => {
  it("converts MemTotal kB (KiB) to bytes", () => {
    expect(parseMemTotalBytes("MemTotal:       24684092 kB\nMemFree: 1 kB\n")).toBe(
      24684092 * 1024,
    );
  });
  it("returns undefined when MemTotal is missing or not a number", () => {
    expect(parseMemTotalBytes("MemFree: 1 kB\n")).toBeUndefined();
    expect(parseMemTotalBytes("MemTotal: lots kB\n")).toBeUndefined();
  });
});

describe("hasHypervisorFlag", () => {
  it("looks for the hypervisor flag in the first flags line", () => {
    expect(hasHypervisorFlag("processor\t: 0\nflags\t\t: fpu hypervisor lm\n")).toBe(true);
    expect(hasHypervisorFlag("processor\t: 0\nflags\t\t: fpu lm\n")).toBe(false);
    expect(hasHypervisorFlag("Features\t: fp asimd\n")).toBe(false);
  });
});

describe("kernelValue", () => {
  it("trims and treats (none) and empty as unset", () => {
    expect(kernelValue("vm\n")).toBe("vm");
    expect(kernelValue("(none)\n")).toBeUndefined();
    expect(kernelValue("\n")).toBeUndefined();
  });
});
