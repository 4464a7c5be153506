import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover, liveContext } from "../discover.js";
import { CommandError, type CommandRunner } from "../run-command.js";
import { osAgent } from "./index.js";

const fixtures = join(import.meta.dirname, "fixtures");

function fakeRun(outputs: Record<string, string>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (program: string, args: string[]) => {
    const command = [program, ...args].join(" ");
    calls.push(command);
    const stdout = outputs[command];
    if (stdout === undefined) throw CommandError.notInstalled(command);
    return { stdout, stderr: "" };
  };
  return Object.assign(run, { calls });
}

function fixtureContext(tree: string, run: CommandRunner = fakeRun({})): CollectContext {
  return {
    hostname: "fixture",
    procRoot: join(tree, "proc"),
    sysRoot: join(tree, "sys"),
    fsRoot: join(tree, "root"),
    run,
  };
}

describe("os collector on a fixture tree (a Rocky Linux KVM guest)", () => {
  it("reads every field and produces a valid document with no errors", async () => {
    const run = fakeRun({});
    const document = await discover(osAgent, fixtureContext(join(fixtures, "kvm-guest"), run));
    const { data } = document;
    expect(document.errors).toEqual([]);
    expect(data.hostname).toBe("db1");
    expect(data.fqdn).toBe("db1.example.org");
    expect(data.nis_domain).toBe("corp-nis");
    // /etc/machine-id says "uninitialized": the D-Bus copy is the identity
    expect(data.machine_id).toBe("5f2b9d0c8a6e4e1f9a3c7b2d1e0f4a6b");
    // no /etc/os-release: /usr/lib/os-release is read instead
    expect(data.os_release?.ID).toBe("rocky");
    expect(data.os_release?.VERSION_ID).toBe("9.3");
    expect(data.os_release?.ID_LIKE).toEqual(["rhel", "centos", "fedora"]);
    expect(data.kernel).toEqual({
      name: "Linux",
      release: "5.14.0-362.8.1.el9_3.x86_64",
      version: "#1 SMP PREEMPT_DYNAMIC Wed Nov 8 17:36:32 UTC 2023",
    });
    expect(data.architecture).toBe("x86_64");
    expect(run.calls).toEqual([]); // /proc/sys/kernel/arch was there: no uname
    expect(data.boot_time).toBe("2023-11-14T22:13:20Z");
    expect(data.boot_time_epoch).toBe(1700000000);
    expect(data.memory_total_bytes).toBe(16303412 * 1024);
    expect(data.timezone).toBe("Europe/Paris");
    expect(data.virtualization).toEqual({
      hypervisor: "qemu",
      container: null,
      evidence: ["cpu flag hypervisor", "dmi sys_vendor=QEMU"],
    });
    expect(data.dmi).toEqual({
      sys_vendor: "QEMU",
      product_name: "Standard PC (Q35 + ICH9, 2009)",
      product_version: "pc-q35-8.2",
      chassis_type: "1",
      bios_vendor: "SeaBIOS",
    });
    expect(osAgent.summarize(data)).toBe(
      "Rocky Linux 9.3 (Blue Onyx), kernel 5.14.0-362.8.1.el9_3.x86_64, x86_64",
    );
  });

  it("a document with a malformed machine id fails the schema", async () => {
    const document = await discover(osAgent, fixtureContext(join(fixtures, "kvm-guest")));
    const bad = structuredClone(document);
    bad.data.machine_id = "5F2B9D0C-8A6E-4E1F-9A3C-7B2D1E0F4A6B";
    expect(() => assertValidDiscoveryDocument(bad)).toThrow(/machine_id must match pattern/);
    const wrongType = structuredClone(document) as unknown as { data: Record<string, unknown> };
    wrongType.data.boot_time_epoch = "1700000000";
    expect(() => assertValidDiscoveryDocument(wrongType)).toThrow(/boot_time_epoch must be/);
    const extra = structuredClone(document) as unknown as { data: Record<string, unknown> };
    extra.data.uptime = 5;
    expect(() => assertValidDiscoveryDocument(extra)).toThrow(/additional properties "uptime"/);
  });
});

describe("os collector on a broken host", () => {
  const tree = mkdtempSync(join(tmpdir(), "assim-os-"));
  afterAll(() => rmSync(tree, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(join(tree, path, ".."), { recursive: true });
    writeFileSync(join(tree, path), text);
  };
  write("proc/sys/kernel/ostype", "Linux\n");
  write("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  write("proc/sys/kernel/version", "#1 SMP\n");
  write("proc/sys/kernel/hostname", "bad\u0001host\n");
  write("proc/stat", "cpu 1 2 3\n");
  write("proc/meminfo", "MemFree: 1 kB\n");
  write("proc/cpuinfo", "processor\t: 0\n");
  write("root/etc/machine-id", "not-a-machine-id\n");
  write("root/etc/hosts", "127.0.0.1 localhost\n");
  symlinkSync("/dev/zero", join(tree, "root/etc/os-release"));
  execFileSync("mkfifo", [join(tree, "root/etc/timezone")]);

  it("lists every problem in errors, never throws, and still yields a valid document", async () => {
    const run = fakeRun({ "uname -m": "aarch64\n" });
    const document = await discover(osAgent, fixtureContext(tree, run));
    const { data, errors } = document;
    const at = (suffix: string) => errors.filter((e) => e.where.endsWith(suffix));

    expect(data.hostname).toBeNull();
    expect(at("/proc/sys/kernel/hostname")[0]?.message).toContain("control characters");
    expect(data.nis_domain).toBeNull();
    expect(at("/proc/sys/kernel/domainname")[0]?.message).toContain("ENOENT");

    expect(data.machine_id).toBeNull();
    const identity = at("/root/etc/machine-id")[0]?.message ?? "";
    expect(identity).toContain("no identity in the graph");
    expect(identity).toContain("not 32 lowercase hex digits");
    expect(identity).toContain("dbus/machine-id: ENOENT");

    expect(data.os_release).toBeNull();
    expect(at("/root/etc/os-release")[0]?.message).toContain("not a regular file");
    expect(data.timezone).toBeNull();
    expect(at("/root/etc/timezone")[0]?.message).toContain("not a regular file");

    expect(data.architecture).toBe("aarch64");
    expect(run.calls).toEqual(["uname -m"]);
    expect(data.boot_time).toBeNull();
    expect(at("/proc/stat")[0]?.message).toBe("no valid btime line");
    expect(data.memory_total_bytes).toBeNull();
    expect(at("/proc/meminfo")[0]?.message).toBe("no valid MemTotal line");
    expect(data.kernel.release).toBe("6.1.0-13-amd64");
    expect(data.dmi).toEqual({});
    expect(data.virtualization).toEqual({ hypervisor: null, container: null, evidence: [] });
  });

  it("records a failing uname when /proc/sys/kernel/arch is absent", async () => {
    const document = await discover(osAgent, fixtureContext(tree, fakeRun({})));
    expect(document.data.architecture).toBeNull();
    expect(document.errors).toContainEqual({
      where: "uname -m",
      message: "uname -m: not installed",
    });
  });
});

describe("os collector on this machine", () => {
  it("agrees with the kernel, /etc/machine-id and uname", async () => {
    const document = await discover(osAgent, liveContext());
    const { data } = document;
    expect(data.kernel.release).toBe(release());
    expect(data.hostname).toBe(readFileSync("/proc/sys/kernel/hostname", "utf8").trim());
    expect(data.architecture).toBe(execFileSync("uname", ["-m"], { encoding: "utf8" }).trim());
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    expect(data.boot_time_epoch).toBe(Number(btime));
    expect(data.os_release?.ID).toBeTypeOf("string");
  });

  it.skipIf(!existsSync("/etc/machine-id"))(
    "reports /etc/machine-id as the machine id (skips without /etc/machine-id)",
    async () => {
      const document = await discover(osAgent, liveContext());
      expect(document.data.machine_id).toBe(readFileSync("/etc/machine-id", "utf8").trim());
    },
  );
});
