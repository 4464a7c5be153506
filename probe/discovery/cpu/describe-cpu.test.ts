import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeCpu, topologyFromCpuinfo } from "./describe-cpu.js";
import { parseCpuinfo } from "./parse-cpuinfo.js";

const parsed = (name: string) =>
  parseCpuinfo(readFileSync(join(import.meta.dirname, "fixtures", name), "utf8"), name);

describe("describeCpu", () => {
  it("describes an x86 CPU field by field (2-socket Xeon with hyperthreads)", () => {
    const cpu = describeCpu(parsed("cpuinfo.xeon-2s-ht"));
    expect(cpu.model_name).toBe("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
    expect(cpu.vendor).toBe("GenuineIntel");
    expect([cpu.family, cpu.model, cpu.stepping]).toEqual([6, 85, 4]);
    expect(cpu.microcode).toBe("0x2006e05");
    expect(cpu.arm).toBeNull();
    expect(cpu.cpuinfo_mhz).toBe(2100);
    expect(cpu.cache_size_kb).toBe(22528);
    expect(cpu.flags).toHaveLength(135);
    expect(cpu.flags.slice(0, 4)).toEqual(["3dnowprefetch", "abm", "acpi", "adx"]);
    expect(cpu.flags).toContain("avx512f");
    expect(cpu.flags).not.toContain("ept_x_only"); // a "vmx flags" word, not a CPU flag
    expect(cpu.flags_uniform).toBe(true);
    expect(cpu.bugs).toEqual([
      "cpu_meltdown",
      "gds",
      "itlb_multihit",
      "l1tf",
      "mds",
      "mmio_stale_data",
      "retbleed",
      "spec_store_bypass",
      "spectre_v1",
      "spectre_v2",
      "swapgs",
      "taa",
    ]);
  });

  it("describes this machine's AMD EPYC", () => {
    const cpu = describeCpu(parsed("cpuinfo.amd-epyc-vm"));
    expect(cpu).toMatchObject({
      model_name: "AMD EPYC",
      vendor: "AuthenticAMD",
      family: 25,
      model: 17,
      stepping: 1,
      cpuinfo_mhz: 2596,
      cache_size_kb: 1024,
      flags_uniform: true,
    });
    expect(cpu.flags).toContain("hypervisor");
    expect(cpu.bugs).toContain("srso");
  });

  it("names an arm64 core from its implementer and part (Neoverse-N1)", () => {
    const cpu = describeCpu(parsed("cpuinfo.aarch64-graviton2"));
    expect(cpu.model_name).toBe("Neoverse-N1");
    expect(cpu.vendor).toBe("ARM");
    expect(cpu.arm).toEqual({
      implementer: "0x41",
      part: "0xd0c",
      variant: "0x3",
      revision: 1,
      architecture: "8",
    });
    expect([cpu.family, cpu.model, cpu.stepping, cpu.cpuinfo_mhz, cpu.cache_size_kb]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(cpu.flags).toContain("asimd");
    expect(cpu.flags).toHaveLength(17);
    expect(cpu.bugs).toEqual([]);
  });

  it("prefers the part name over the generic 32-bit ARM model name", () => {
    const cpu = describeCpu(parsed("cpuinfo.armv7-raspberrypi3"));
    expect(cpu.model_name).toBe("Cortex-A53");
    expect(cpu.arm?.architecture).toBe("7");
    expect(cpu.flags).toContain("neon");
  });

  it("keeps the raw codes and the model name line of an unknown ARM part", () => {
    const text =
      "processor\t: 0\nmodel name\t: Mystery core\nCPU implementer\t: 0x99\nCPU part\t: 0x123\n";
    const cpu = describeCpu(parseCpuinfo(text, "c"));
    expect(cpu.model_name).toBe("Mystery core");
    expect(cpu.vendor).toBeNull();
    expect(cpu.arm).toMatchObject({ implementer: "0x99", part: "0x123", variant: null });
  });

  it("notes when processors disagree on flags", () => {
    const text = "processor : 0\nflags : fpu sse avx\n\nprocessor : 1\nflags : fpu sse\n";
    const cpu = describeCpu(parseCpuinfo(text, "c"));
    expect(cpu.flags).toEqual(["avx", "fpu", "sse"]);
    expect(cpu.flags_uniform).toBe(false);
  });

  it("drops junk words and values, and survives an empty file", () => {
    const text =
      "processor : 0\nflags : fpu \u0000bad ok+1 fpu\ncpu family : six\ncache size : lots\n";
    const cpu = describeCpu(parseCpuinfo(text, "c"));
    expect(cpu.flags).toEqual(["fpu", "ok+1"]);
    expect(cpu.family).toBeNull();
    expect(cpu.cache_size_kb).toBeNull();
    const empty = describeCpu(parseCpuinfo("", "c"));
    expect(empty).toMatchObject({ model_name: null, flags: [], flags_uniform: true });
  });
});

describe("topologyFromCpuinfo", () => {
  it("counts distinct physical ids and (physical id, core id) pairs", () => {
    expect(topologyFromCpuinfo(parsed("cpuinfo.xeon-2s-ht").processors)).toEqual({
      sockets: 2,
      cores: 4,
    });
    expect(topologyFromCpuinfo(parsed("cpuinfo.amd-epyc-vm").processors)).toEqual({
      sockets: 1,
      cores: 2,
    });
  });

  it("knows nothing when the ids are missing (arm64)", () => {
    expect(topologyFromCpuinfo(parsed("cpuinfo.aarch64-graviton2").processors)).toBeUndefined();
    expect(topologyFromCpuinfo([])).toBeUndefined();
  });
});
