import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCpuinfo } from "./parse-cpuinfo.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("parseCpuinfo", () => {
  it("splits x86 cpuinfo (this machine's) into processors, keeping every field", () => {
    const { processors, shared, errors } = parseCpuinfo(fixture("cpuinfo.amd-epyc-vm"), "c");
    expect(errors).toEqual([]);
    expect(shared).toEqual({});
    expect(processors.map((p) => p.processor)).toEqual(["0", "1"]);
    expect(processors[1]?.["core id"]).toBe("1");
    expect(processors[0]?.["model name"]).toBe("AMD EPYC");
    expect(processors[0]?.["power management"]).toBe("");
    expect(processors[0]?.["address sizes"]).toBe("48 bits physical, 48 bits virtual");
  });

  it("reads arm64 sections, whose keys have blanks and no tab ('CPU architecture: 8')", () => {
    const { processors } = parseCpuinfo(fixture("cpuinfo.aarch64-graviton2"), "c");
    expect(processors).toHaveLength(4);
    expect(processors[3]).toMatchObject({
      processor: "3",
      "CPU implementer": "0x41",
      "CPU architecture": "8",
      "CPU part": "0xd0c",
    });
  });

  it("keeps the trailing board block of 32-bit ARM apart from the processors", () => {
    const { processors, shared } = parseCpuinfo(fixture("cpuinfo.armv7-raspberrypi3"), "c");
    expect(processors).toHaveLength(4);
    expect(processors[3]?.Hardware).toBeUndefined();
    expect(shared).toEqual({
      Hardware: "BCM2835",
      Revision: "a02082",
      Serial: "00000000abcdef01",
      Model: "Raspberry Pi 3 Model B Rev 1.2",
    });
  });

  it("splits old arm64 cpuinfo, with shared lines around bare processor lines", () => {
    const old = [
      "Processor\t: AArch64 Processor rev 4 (aarch64)",
      "processor\t: 0",
      "processor\t: 1",
      "Features\t: fp asimd evtstrm",
      "CPU implementer\t: 0x41",
      "",
      "Hardware\t: Qualcomm",
    ].join("\n");
    const { processors, shared } = parseCpuinfo(old, "c");
    expect(processors.map((p) => p.processor)).toEqual(["0", "1"]);
    expect(shared).toEqual({
      Processor: "AArch64 Processor rev 4 (aarch64)",
      Hardware: "Qualcomm",
    });
    expect(processors[1]).toEqual({
      processor: "1",
      Features: "fp asimd evtstrm",
      "CPU implementer": "0x41",
    });
  });

  it("reports malformed lines by number and counts them past 20", () => {
    const text = `processor\t: 0\nno colon here\n: no key\n${"junk\n".repeat(30)}`;
    const { processors, errors } = parseCpuinfo(text, "/proc/cpuinfo");
    expect(processors).toHaveLength(1);
    expect(errors[0]).toEqual({ where: "/proc/cpuinfo:2", message: "not a `key : value` line" });
    expect(errors[1]?.where).toBe("/proc/cpuinfo:3");
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({
      where: "/proc/cpuinfo",
      message: "12 more malformed lines not listed (32 in all)",
    });
  });

  it("does not take a non-numeric processor value as a new processor", () => {
    const { processors, shared } = parseCpuinfo("processor\t: zero\nflags\t: fpu\n", "c");
    expect(processors).toEqual([]);
    expect(shared).toEqual({ processor: "zero", flags: "fpu" });
  });
});
