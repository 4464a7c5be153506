import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover, liveContext } from "../discover.js";
import { CommandError, type CommandRunner } from "../run-command.js";
import { monitoringagentsAgent } from "./index.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

/** A host tree with agents; execute bits are set here explicitly, whatever git kept. */
function buildTree(root: string): void {
  const file = (path: string, mode: number) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "#!/bin/sh\nexit 0\n");
    chmodSync(join(root, path), mode);
  };
  const ocf = "usr/lib/ocf/resource.d";
  file(`${ocf}/heartbeat/IPaddr2`, 0o755);
  file(`${ocf}/heartbeat/Dummy`, 0o755);
  file(`${ocf}/heartbeat/.ocf-shellfuncs`, 0o644);
  file(`${ocf}/heartbeat/notes.txt`, 0o644);
  file(`${ocf}/local/MyApp`, 0o700);
  file(`${ocf}/empty/readme`, 0o644);
  symlinkSync("local", join(root, ocf, "linked"));
  file(`${ocf}/not-a-provider`, 0o755);

  file("etc/init.d/README", 0o644);
  file("etc/init.d/skeleton", 0o755);
  file("etc/init.d/rc", 0o755);
  file("etc/init.d/rcS", 0o755);
  file("etc/init.d/ssh", 0o755);
  file("etc/init.d/nginx", 0o755);
  file("etc/init.d/nginx.dpkg-old", 0o755);
  file("etc/init.d/disabled-script", 0o644);
  file("etc/init.d/evil\nname", 0o755);
  mkdirSync(join(root, "etc/init.d/subdir"));

  const plugins = "usr/lib/nagios/plugins";
  file(`${plugins}/check_tcp`, 0o755);
  file(`${plugins}/check_http`, 0o755);
  file(`${plugins}/utils.sh`, 0o755);
  file(`${plugins}/utils.pm`, 0o644);
  symlinkSync("check_tcp", join(root, plugins, "check_ftp"));
  symlinkSync("check_removed", join(root, plugins, "check_gone"));
  file("usr/lib64/nagios/plugins/check_nrpe", 0o755);
  file("usr/lib64/nagios/plugins/check_tcp", 0o755);
}

function fakeSystemctl(answers: Record<string, string | Error>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (program, args) => {
    calls.push([program, ...args]);
    const command = [program, ...args].join(" ");
    if (program !== "systemctl") throw CommandError.notInstalled(command);
    const answer = answers[args[0] ?? ""];
    if (answer === undefined) throw CommandError.notInstalled(command);
    if (answer instanceof Error) throw answer;
    return { stdout: answer, stderr: "" };
  };
  return { run, calls };
}

const scratch = mkdtempSync(join(tmpdir(), "assim-monitoringagents-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function context(name: string, run: CommandRunner, options: { systemdRunning?: boolean } = {}) {
  const fsRoot = join(scratch, name);
  buildTree(fsRoot);
  if (options.systemdRunning) mkdirSync(join(fsRoot, "run/systemd/system"), { recursive: true });
  const ctx: CollectContext = {
    hostname: "fixture",
    procRoot: join(fsRoot, "proc"),
    sysRoot: join(fsRoot, "sys"),
    fsRoot,
    run,
  };
  return ctx;
}

describe("monitoringagents collector on a fixture tree", () => {
  it("lists executable agents by kind, skipping what is not an agent", async () => {
    const { run, calls } = fakeSystemctl({
      "list-unit-files": fixture("systemctl-list-unit-files.debian12.json"),
    });
    const ctx = context("plain", run);
    const document = await discover(monitoringagentsAgent, ctx);
    const { data } = document;
    expect(data.ocf).toEqual({
      heartbeat: ["Dummy", "IPaddr2"],
      linked: ["MyApp"],
      local: ["MyApp"],
    });
    expect(data.lsb).toEqual(["nginx", "ssh"]);
    expect(data.nagios).toEqual(["check_ftp", "check_http", "check_nrpe", "check_tcp"]);
    expect(data.systemd_running).toBe(false);
    expect(Object.keys(data.systemd)).toHaveLength(216);
    expect(data.systemd["apt-daily.timer"]).toEqual({
      type: "timer",
      state: "enabled",
      preset: "enabled",
    });
    expect(data.systemd["getty@.service"]).toMatchObject({ type: "service" });
    // systemd is not running here: unit files only, read from the tree's own root
    expect(calls).toEqual([
      [
        "systemctl",
        "list-unit-files",
        `--root=${ctx.fsRoot}`,
        "--no-pager",
        "--no-legend",
        "--output=json",
      ],
    ]);
    expect(document.errors).toEqual([
      {
        where: join(ctx.fsRoot, "etc/init.d"),
        message: 'skipped an entry with an unusual name: "evil\\nname"',
      },
      {
        where: join(ctx.fsRoot, "usr/lib/nagios/plugins/check_gone"),
        message: expect.stringMatching(/^ENOENT/),
      },
    ]);
    expect(monitoringagentsAgent.summarize(data)).toBe("4 OCF, 2 LSB, 4 Nagios, 216 systemd units");
  });

  it("adds the live state of services when systemd is running", async () => {
    const { run, calls } = fakeSystemctl({
      "list-unit-files": fixture("systemctl-list-unit-files.debian12.json"),
      "list-units": fixture("systemctl-list-units.json"),
    });
    const document = await discover(
      monitoringagentsAgent,
      context("running", run, { systemdRunning: true }),
    );
    const { data } = document;
    expect(data.systemd_running).toBe(true);
    expect(calls[1]).toEqual([
      "systemctl",
      "list-units",
      "--type=service",
      "--all",
      "--no-pager",
      "--no-legend",
      "--plain",
      "--output=json",
    ]);
    expect(data.systemd["postgresql.service"]).toEqual({
      type: "service",
      state: "enabled",
      preset: "enabled",
      active: "active",
      sub: "exited",
    });
    // loaded without a unit file of its own (a transient unit)
    expect(data.systemd["run-docker-runtime\\x2drunc-moby-0123.service"]).toEqual({
      type: "service",
      state: null,
      active: "inactive",
      sub: "dead",
    });
    expect(data.systemd["auditd.service"]).toBeUndefined();
    expect(Object.keys(data.systemd)).toEqual(Object.keys(data.systemd).sort());
  });

  it("no systemctl: no systemd units and no error; a failing one: an error, and the rest still listed", async () => {
    const none = await discover(monitoringagentsAgent, context("nosystemd", fakeSystemctl({}).run));
    expect(none.data.systemd).toEqual({});
    expect(none.data.lsb).toEqual(["nginx", "ssh"]);
    expect(none.errors.map((e) => e.where)).not.toContain("systemctl list-unit-files");

    const failing = fakeSystemctl({
      "list-unit-files": new CommandError(
        "systemctl list-unit-files",
        "exited with 1: Access denied",
      ),
      "list-units": new CommandError(
        "systemctl list-units",
        "exited with 1: Failed to connect to bus",
      ),
    });
    const broken = await discover(
      monitoringagentsAgent,
      context("broken", failing.run, { systemdRunning: true }),
    );
    expect(broken.data.systemd).toEqual({});
    expect(broken.data.nagios).toHaveLength(4);
    expect(broken.errors.filter((e) => e.where.startsWith("systemctl"))).toEqual([
      {
        where: "systemctl list-unit-files",
        message: "systemctl list-unit-files: exited with 1: Access denied",
      },
      {
        where: "systemctl list-units",
        message: "systemctl list-units: exited with 1: Failed to connect to bus",
      },
    ]);
  });

  it("a host with none of the directories gives empty lists and no errors", async () => {
    const ctx: CollectContext = {
      hostname: "fixture",
      procRoot: "/nonexistent",
      sysRoot: "/nonexistent",
      fsRoot: join(scratch, "does-not-exist"),
      run: fakeSystemctl({}).run,
    };
    const document = await discover(monitoringagentsAgent, ctx);
    expect(document.data).toEqual({
      ocf: {},
      lsb: [],
      nagios: [],
      systemd: {},
      systemd_running: false,
    });
    expect(document.errors).toEqual([]);
  });

  it("a document with a bad unit type fails the schema", async () => {
    const { run } = fakeSystemctl({
      "list-unit-files": fixture("systemctl-list-unit-files.debian12.json"),
    });
    const document = await discover(monitoringagentsAgent, context("schema", run));
    const bad = structuredClone(document) as unknown as {
      data: { systemd: Record<string, { type: string }>; lsb: unknown };
    };
    const timer = bad.data.systemd["apt-daily.timer"];
    if (!timer) throw new Error("fixture lost apt-daily.timer");
    timer.type = "daemon";
    expect(() => assertValidDiscoveryDocument(bad)).toThrow(
      /apt-daily.timer\/type must be equal to one of/,
    );
    const wrong = structuredClone(document) as unknown as { data: { lsb: unknown } };
    wrong.data.lsb = ["ok", "rm -rf /"];
    expect(() => assertValidDiscoveryDocument(wrong)).toThrow(/\/data\/lsb\/1 must match pattern/);
  });
});

/** Executables in a live directory, the way `find -L DIR -maxdepth 1 -type f -perm /111` sees them. */
function liveExecutables(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => !name.startsWith("."))
    .filter((name) => {
      try {
        const info = statSync(join(directory, name));
        return info.isFile() && (info.mode & 0o111) !== 0;
      } catch {
        return false;
      }
    })
    .sort();
}

const HEARTBEAT = "/usr/lib/ocf/resource.d/heartbeat";
const PLUGINS = "/usr/lib/nagios/plugins";
const systemctlCount = (() => {
  try {
    const out = execFileSync("systemctl", ["list-unit-files", "--no-pager", "--no-legend"], {
      encoding: "utf8",
    });
    return out.split("\n").filter((line) => line.trim() !== "").length;
  } catch {
    return undefined;
  }
})();

describe("monitoringagents collector on this machine", () => {
  it.skipIf(!existsSync(HEARTBEAT))(
    "lists the same heartbeat OCF agents as the directory (skips without resource-agents)",
    async () => {
      const { data } = await discover(monitoringagentsAgent, liveContext());
      expect(data.ocf.heartbeat).toEqual(liveExecutables(HEARTBEAT));
      expect(data.ocf.heartbeat).toContain("IPaddr2");
    },
  );

  it.skipIf(!existsSync(PLUGINS))(
    "lists the Nagios plugins of monitoring-plugins (skips without /usr/lib/nagios/plugins)",
    async () => {
      const { data } = await discover(monitoringagentsAgent, liveContext());
      const expected = liveExecutables(PLUGINS).filter((name) => name !== "utils.sh");
      for (const name of expected) expect(data.nagios).toContain(name);
      expect(data.nagios).toContain("check_tcp");
    },
  );

  it.skipIf(systemctlCount === undefined)(
    "has as many systemd unit files as systemctl lists (skips where systemctl is unusable)",
    async () => {
      const { data } = await discover(monitoringagentsAgent, liveContext());
      const withFiles = Object.values(data.systemd).filter((unit) => unit.state !== null);
      expect(withFiles).toHaveLength(systemctlCount ?? -1);
    },
  );
});
