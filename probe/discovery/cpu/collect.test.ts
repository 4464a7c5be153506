import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover, liveContext } from "../discover.js";
import { CommandError } from "../run-command.js";
import { cpuAgent } from "./index.js";

const fixtures = join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(join(tmpdir(), "assim-cpu-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A context whose /proc holds the named cpuinfo fixture (or the given text). */
function context(name: string, cpuinfo: { fixture: string } | { text: string }, sysRoot: string) {
  const procRoot = join(scratch, name, "proc");
  mkdirSync(procRoot, { recursive: true });
  if ("fixture" in cpuinfo)
    copyFileSync(join(fixtures, cpuinfo.fixture), join(procRoot, "cpuinfo"));
  else writeFileSync(join(procRoot, "cpuinfo"), cpuinfo.text);
  const ctx: CollectContext = {
    hostname: "fixture",
    procRoot,
    sysRoot,
    fsRoot: join(scratch, name, "root"),
    run: async (program, args) => {
      throw new CommandError([program, ...args].join(" "), "not expected in this test");
    },
  };
  return ctx;
}

/** sysfs of the 2-socket, 2-core, 2-thread Xeon fixture, with cpufreq. */
function xeonSysfs(): string {
  const root = join(scratch, "xeon-sys");
  for (let cpu = 0; cpu < 8; cpu++) {
    const pkg = cpu % 2;
    const first = pkg + (Math.floor(cpu / 2) % 2) * 2;
    const topology = join(root, `devices/system/cpu/cpu${cpu}/topology`);
    mkdirSync(topology, { recursive: true });
    writeFileSync(join(topology, "physical_package_id"), `${pkg}\n`);
    writeFileSync(join(topology, "package_cpus_list"), pkg === 0 ? "0,2,4,6\n" : "1,3,5,7\n");
    writeFileSync(join(topology, "core_cpus_list"), `${first},${first + 4}\n`);
  }
  const cpufreq = join(root, "devices/system/cpu/cpu0/cpufreq");
  mkdirSync(cpufreq, { recursive: true });
  writeFileSync(join(cpufreq, "cpuinfo_max_freq"), "3700000\n");
  return root;
}

describe("cpu collector on fixtures", () => {
  it("2-socket hyperthreaded Xeon: topology and maximum frequency from sysfs", async () => {
    const document = await discover(
      cpuAgent,
      context("xeon", { fixture: "cpuinfo.xeon-2s-ht" }, xeonSysfs()),
    );
    const { data } = document;
    expect(document.errors).toEqual([]);
    expect(data).toMatchObject({
      model_name: "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz",
      vendor: "GenuineIntel",
      family: 6,
      model: 85,
      stepping: 4,
      microcode: "0x2006e05",
      arm: null,
      mhz: 3700,
      mhz_source: "cpufreq",
      cache_size_kb: 22528,
      sockets: 2,
      cores: 4,
      threads: 8,
      topology_source: "sysfs",
      flags_uniform: true,
    });
    expect(data.flags).toContain("avx512f");
    expect(cpuAgent.summarize(data)).toBe(
      "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz: 2 sockets, 4 cores, 8 threads",
    );
  });

  it("the same Xeon without sysfs: topology from cpuinfo ids, MHz from cpuinfo", async () => {
    const document = await discover(
      cpuAgent,
      context("xeon-nosys", { fixture: "cpuinfo.xeon-2s-ht" }, join(scratch, "absent")),
    );
    expect(document.errors).toEqual([]);
    expect(document.data).toMatchObject({
      sockets: 2,
      cores: 4,
      threads: 8,
      topology_source: "cpuinfo",
      mhz: 2100,
      mhz_source: "cpuinfo",
    });
  });

  it("this machine's AMD EPYC VM with its captured sysfs topology", async () => {
    const sys = join(fixtures, "sys-amd-epyc-vm");
    const document = await discover(
      cpuAgent,
      context("epyc", { fixture: "cpuinfo.amd-epyc-vm" }, sys),
    );
    expect(document.errors).toEqual([]);
    expect(document.data).toMatchObject({
      model_name: "AMD EPYC",
      sockets: 1,
      cores: 2,
      threads: 2,
      topology_source: "sysfs",
      mhz: 2596,
      mhz_source: "cpuinfo",
    });
  });

  it("arm64 without sysfs: counts threads, leaves sockets and cores unknown", async () => {
    const document = await discover(
      cpuAgent,
      context("graviton", { fixture: "cpuinfo.aarch64-graviton2" }, join(scratch, "absent")),
    );
    expect(document.data).toMatchObject({
      model_name: "Neoverse-N1",
      vendor: "ARM",
      sockets: null,
      cores: null,
      threads: 4,
      topology_source: null,
      mhz: null,
      mhz_source: null,
    });
    expect(cpuAgent.summarize(document.data)).toBe("Neoverse-N1: ? sockets, ? cores, 4 threads");
  });

  it("binary junk in cpuinfo gives errors entries and a valid, empty description", async () => {
    const junk = `\u0000\u0001\u00ff${"garbage without colon\n".repeat(50)}`;
    const document = await discover(
      cpuAgent,
      context("junk", { text: junk }, join(scratch, "absent")),
    );
    expect(document.data).toMatchObject({ model_name: null, threads: 0, flags: [], sockets: null });
    expect(document.errors).toHaveLength(21);
    expect(document.errors[0]?.where).toMatch(/junk\/proc\/cpuinfo:1$/);
  });

  it("a missing cpuinfo is an error entry; threads then come from sysfs", async () => {
    const ctx = context("nocpuinfo", { text: "" }, xeonSysfs());
    rmSync(join(ctx.procRoot, "cpuinfo"));
    const document = await discover(cpuAgent, ctx);
    expect(document.errors).toHaveLength(1);
    expect(document.errors[0]?.message).toMatch(/^ENOENT/);
    expect(document.data).toMatchObject({ threads: 8, sockets: 2, cores: 4 });
  });

  it("a document with a wrong type fails the schema", async () => {
    const document = await discover(
      cpuAgent,
      context("bad", { fixture: "cpuinfo.amd-epyc-vm" }, join(scratch, "absent")),
    );
    const bad = structuredClone(document) as unknown as { data: Record<string, unknown> };
    bad.data.threads = "2";
    expect(() => assertValidDiscoveryDocument(bad)).toThrow(/\/data\/threads must be integer/);
    const duplicate = structuredClone(document) as unknown as { data: Record<string, unknown> };
    duplicate.data.flags = ["fpu", "fpu"];
    expect(() => assertValidDiscoveryDocument(duplicate)).toThrow(/\/data\/flags/);
  });
});

const lscpu = (() => {
  try {
    return execFileSync("lscpu", ["-p=CPU,CORE,SOCKET"], { encoding: "utf8" });
  } catch {
    return undefined;
  }
})();

describe("cpu collector on this machine", () => {
  it("counts as many threads as Node sees online CPUs", async () => {
    const { data, errors } = await discover(cpuAgent, liveContext());
    expect(errors).toEqual([]);
    expect(data.threads).toBe(cpus().length);
    expect(data.flags.length).toBeGreaterThan(0);
  });

  it.skipIf(lscpu === undefined)(
    "agrees with lscpu on sockets and cores (skips without lscpu)",
    async () => {
      const rows = (lscpu ?? "")
        .split("\n")
        .filter((line) => /^\d/.test(line))
        .map((line) => line.split(","));
      const { data } = await discover(cpuAgent, liveContext());
      expect(data.threads).toBe(rows.length);
      expect(data.sockets).toBe(new Set(rows.map((row) => row[2])).size);
      expect(data.cores).toBe(new Set(rows.map((row) => `${row[2]}/${row[1]}`)).size);
    },
  );
});
