import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeServer, isAlive, listen, portOf } from "../../test/support/monitor.js";
import type { LsbResult, NagiosResult, OcfResult, SystemdResult } from "./agent-result.js";
import { AgentSpecError, buildCommand, DEFAULT_PATHS, runAgent } from "./run-agent.js";

const DUMMY = "/usr/lib/ocf/resource.d/heartbeat/Dummy";
const PLUGINS = DEFAULT_PATHS.pluginDir;
const hasDummy = existsSync(DUMMY);
const hasPlugins = existsSync(join(PLUGINS, "check_tcp"));
const systemdRunning = existsSync(DEFAULT_PATHS.systemdRunDir);

const dir = mkdtempSync(join(tmpdir(), "assim-run-agent-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasDummy)(
  `OCF ocf:heartbeat:Dummy${hasDummy ? "" : ` (skipped: ${DUMMY} not installed)`}`,
  () => {
    it("monitor before start is not running, start makes it running, stop again not", async () => {
      const state = join(dir, "dummy.state");
      const spec = {
        class: "ocf" as const,
        provider: "heartbeat",
        type: "Dummy",
        instance: "dummy-test",
        params: { state },
      };
      const opts = { timeoutMs: 10_000 };
      const before = (await runAgent(spec, "monitor", opts)) as OcfResult;
      expect(before.codeName).toBe("OCF_NOT_RUNNING");
      expect(before.code).toBe(7);
      expect(before.state).toBe("stopped");

      const started = (await runAgent(spec, "start", opts)) as OcfResult;
      expect(started.code).toBe(0);
      expect(existsSync(state)).toBe(true);
      const running = (await runAgent(spec, "monitor", opts)) as OcfResult;
      expect(running.codeName).toBe("OCF_SUCCESS");
      expect(running.state).toBe("ok");

      const stopped = (await runAgent(spec, "stop", opts)) as OcfResult;
      expect(stopped.code).toBe(0);
      expect(stopped.state).toBe("stopped");
      expect(existsSync(state)).toBe(false);
      const after = (await runAgent(spec, "monitor", opts)) as OcfResult;
      expect(after.code).toBe(7);
    });
  },
);

const ANYTHING = "/usr/lib/ocf/resource.d/heartbeat/anything";
const canServe = existsSync(ANYTHING) && existsSync("/usr/bin/python3") && hasPlugins;

describe.skipIf(!canServe)(
  `OCF ocf:heartbeat:anything running a real HTTP server${canServe ? "" : " (skipped: anything, /usr/bin/python3 or check_tcp missing)"}`,
  () => {
    it("start makes the service listen, monitor sees it, stop ends it", async () => {
      const probe = await listen();
      const port = String(portOf(probe));
      await closeServer(probe);
      const pidfile = join(dir, "anything.pid");
      const spec = {
        class: "ocf" as const,
        provider: "heartbeat",
        type: "anything",
        instance: "assim-http",
        params: {
          binfile: "/usr/bin/python3",
          cmdline_options: `-m http.server --bind 127.0.0.1 ${port}`,
          pidfile,
          workdir: dir,
        },
      };
      const tcp = {
        class: "nagios" as const,
        plugin: "check_tcp",
        args: ["-H", "127.0.0.1", "-p", port, "-t", "2"],
      };
      const opts = { timeoutMs: 20_000 };
      expect(((await runAgent(spec, "monitor", opts)) as OcfResult).code).toBe(7);
      try {
        const started = (await runAgent(spec, "start", opts)) as OcfResult;
        expect(started.codeName).toBe("OCF_SUCCESS");
        // The daemon outlives the agent in its process group and is not killed with it.
        expect(started.run?.durationMs).toBeLessThan(15_000);
        expect(((await runAgent(spec, "monitor", opts)) as OcfResult).state).toBe("ok");
        let up: NagiosResult | undefined;
        for (let i = 0; i < 50; i++) {
          up = (await runAgent(tcp, "monitor", opts)) as NagiosResult;
          if (up.status === "OK") break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(up?.status).toBe("OK");
      } finally {
        const stopped = (await runAgent(spec, "stop", opts)) as OcfResult;
        expect(stopped.state).toBe("stopped");
      }
      expect(((await runAgent(spec, "monitor", opts)) as OcfResult).code).toBe(7);
      expect(((await runAgent(tcp, "monitor", opts)) as NagiosResult).status).toBe("CRITICAL");
    });
  },
);

describe.skipIf(!hasPlugins)(
  `Nagios plugins${hasPlugins ? "" : ` (skipped: ${PLUGINS}/check_tcp not installed)`}`,
  () => {
    it("check_tcp is OK against an open listener and CRITICAL once it is closed", async () => {
      const server = await listen();
      const port = portOf(server);
      const spec = {
        class: "nagios" as const,
        plugin: "check_tcp",
        args: ["-H", "127.0.0.1", "-p", String(port), "-t", "5"],
      };
      const ok = (await runAgent(spec, "monitor", { timeoutMs: 10_000 })) as NagiosResult;
      expect(ok.status).toBe("OK");
      expect(ok.state).toBe("ok");
      expect(ok.text).toMatch(/TCP OK/);
      expect(ok.perfdata.find((p) => p.label === "time")?.uom).toBe("s");
      await closeServer(server);
      const down = (await runAgent(spec, "monitor", { timeoutMs: 10_000 })) as NagiosResult;
      expect(down.status).toBe("CRITICAL");
      expect(down.state).toBe("critical");
      expect(down.code).toBe(2);
    });

    it("check_ssh reads the banner of a real listener; a wrong expected version is CRITICAL", async () => {
      const server = await listen(0, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
      const port = String(portOf(server));
      try {
        const ok = (await runAgent(
          {
            class: "nagios",
            plugin: "check_ssh",
            args: ["-H", "127.0.0.1", "-p", port, "-t", "5"],
          },
          "monitor",
          { timeoutMs: 10_000 },
        )) as NagiosResult;
        expect(ok.status).toBe("OK");
        expect(ok.text).toMatch(/OpenSSH_9.2p1/);
        const wrong = (await runAgent(
          {
            class: "nagios",
            plugin: "check_ssh",
            args: ["-H", "127.0.0.1", "-p", port, "-t", "5", "-r", "OpenSSH_1.0"],
          },
          "monitor",
          { timeoutMs: 10_000 },
        )) as NagiosResult;
        expect(wrong.status).toBe("CRITICAL");
      } finally {
        await closeServer(server);
      }
    });

    it("check_procs over its warning range is WARNING, not a failure", async () => {
      // A process that exists, found by a unique argument; -w 0:0 means "any process warns".
      const child: ChildProcess = spawn("sleep", ["987.654"], { stdio: "ignore" });
      try {
        const spec = {
          class: "nagios" as const,
          plugin: `${PLUGINS}/check_procs`,
          args: ["-w", "0:0", "-c", "0:10", "-C", "sleep", "-a", "987.654"],
        };
        const r = (await runAgent(spec, "monitor", { timeoutMs: 10_000 })) as NagiosResult;
        expect(r.status).toBe("WARNING");
        expect(r.state).toBe("warning");
        expect(r.text).toMatch(/PROCS WARNING: 1 process/);
        expect(r.perfdata[0]).toMatchObject({
          label: "procs",
          value: 1,
          warn: "0:0",
          crit: "0:10",
        });
      } finally {
        child.kill("SIGKILL");
      }
    });

    it("check_dummy 1 is WARNING with its text; perfdata from real output", async () => {
      const r = (await runAgent(
        { class: "nagios", plugin: "check_dummy", args: ["1", "disk almost full"] },
        "monitor",
        { timeoutMs: 10_000 },
      )) as NagiosResult;
      expect(r.status).toBe("WARNING");
      expect(r.text).toBe("WARNING: disk almost full");
      const p = (await runAgent(
        {
          class: "nagios",
          plugin: "check_dummy",
          args: ["0", "fine|'used space'=42MB;50;60;0;100"],
        },
        "monitor",
        { timeoutMs: 10_000 },
      )) as NagiosResult;
      expect(p.status).toBe("OK");
      expect(p.text).toBe("OK: fine");
      expect(p.perfdata).toEqual([
        { label: "used space", value: 42, uom: "MB", warn: "50", crit: "60", min: 0, max: 100 },
      ]);
    });

    it("hostile arguments are passed as data, not to a shell", async () => {
      const marker = join(dir, "injected");
      const r = (await runAgent(
        {
          class: "nagios",
          plugin: "check_dummy",
          args: ["0", `x; touch ${marker}; $(touch ${marker})`],
        },
        "monitor",
        { timeoutMs: 10_000 },
      )) as NagiosResult;
      expect(r.status).toBe("OK");
      expect(r.text).toContain("$(touch");
      expect(existsSync(marker)).toBe(false);
    });
  },
);

describe("LSB status", () => {
  const initDir = join(dir, "init.d");
  it.each([
    [0, "LSB_RUNNING", "ok"],
    [1, "LSB_DEAD_PIDFILE", "critical"],
    [2, "LSB_DEAD_LOCKFILE", "critical"],
    [3, "LSB_NOT_RUNNING", "stopped"],
    [4, "LSB_UNKNOWN", "unknown"],
  ])("a script answering status with %i is %s", async (code, name, state) => {
    mkdirSync(initDir, { recursive: true });
    const script = join(initDir, `svc${code}`);
    writeFileSync(
      script,
      `#!/bin/sh\ncase "$1" in status) echo "svc is $1 ${code}"; exit ${code};; *) exit 3;; esac\n`,
    );
    chmodSync(script, 0o755);
    const r = (await runAgent({ class: "lsb", name: `svc${code}` }, "monitor", {
      timeoutMs: 10_000,
      paths: { initDir },
    })) as LsbResult;
    expect(r.class).toBe("lsb");
    expect(r.code).toBe(code);
    expect(r.codeName).toBe(name);
    expect(r.state).toBe(state);
    expect(r.reason).toContain(`svc is status ${code}`);
  });
});

describe("a hung agent", () => {
  it("times out and its whole process group is killed", async () => {
    const pluginDir = join(dir, "plugins");
    mkdirSync(pluginDir, { recursive: true });
    const pidFile = join(dir, "hung-child.pid");
    const script = join(pluginDir, "check_hung");
    // The child ignores SIGTERM, so only the group SIGKILL after the grace gets rid of it.
    writeFileSync(
      script,
      `#!/bin/sh\n(trap '' TERM; exec sleep 300) &\necho $! > ${pidFile}\necho started\nsleep 300\n`,
    );
    chmodSync(script, 0o755);
    const t0 = Date.now();
    const r = await runAgent({ class: "nagios", plugin: "check_hung" }, "monitor", {
      timeoutMs: 500,
      killGraceMs: 300,
      paths: { pluginDir },
    });
    const elapsed = Date.now() - t0;
    expect(r.state).toBe("unknown");
    expect(r.reason).toMatch(/timed out after 500 ms/);
    expect(r.run?.timedOut).toBe(true);
    expect(r.run?.output).toContain("started");
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(5_000);
    const childPid = Number(readFileSync(pidFile, "utf8"));
    expect(childPid).toBeGreaterThan(0);
    expect(isAlive(childPid)).toBe(false);
  });

  it("caps output and flags slow operations", async () => {
    const r = await runAgent(
      { class: "nagios", plugin: "check_dummy", args: ["0", "x".repeat(5000)] },
      "monitor",
      { timeoutMs: 10_000, warnMs: 0, maxOutputBytes: 100 },
    );
    expect(r.run?.outputTruncated).toBe(true);
    expect(r.run?.output.length).toBe(100);
    expect(r.run?.slow).toBe(true);
    expect(r.reason).toMatch(/slow/);
  });
});

describe("spec validation", () => {
  it.each([
    [{ class: "ocf" as const, provider: "..", type: "Dummy" }, /OCF provider/],
    [{ class: "ocf" as const, provider: "heartbeat", type: "../../bin/sh" }, /contains "\/"/],
    [
      { class: "ocf" as const, provider: "heartbeat", type: "Dummy", params: { "a-b": "x" } },
      /parameter name/,
    ],
    [
      { class: "ocf" as const, provider: "heartbeat", type: "Dummy", params: { "A;B": "x" } },
      /parameter name/,
    ],
    [{ class: "lsb" as const, name: "../sbin/reboot" }, /LSB script/],
    [{ class: "nagios" as const, plugin: "/bin/sh" }, /not directly in/],
    [{ class: "nagios" as const, plugin: `${PLUGINS}/../../../bin/sh` }, /not directly in/],
    [{ class: "nagios" as const, plugin: "check_x..y" }, /contains "\.\."/],
    [{ class: "systemd" as const, unit: "-H evil" }, /systemd unit/],
    [{ class: "nagios" as const, plugin: "check_dummy", args: ["a\u0000b"] }, /NUL/],
  ])("rejects %j", (spec, message) => {
    expect(() => buildCommand(spec, "monitor")).toThrow(AgentSpecError);
    expect(() => buildCommand(spec, "monitor")).toThrow(message);
  });

  it("sets the OCF environment", () => {
    const c = buildCommand(
      {
        class: "ocf",
        provider: "heartbeat",
        type: "Dummy",
        instance: "d1",
        params: { state: "/x" },
      },
      "monitor",
    );
    expect(c.program).toBe("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    expect(c.args).toEqual(["monitor"]);
    expect(c.env).toMatchObject({
      OCF_ROOT: "/usr/lib/ocf",
      OCF_RESOURCE_INSTANCE: "d1",
      OCF_RESOURCE_TYPE: "Dummy",
      OCF_RESOURCE_PROVIDER: "heartbeat",
      OCF_RESKEY_state: "/x",
    });
  });

  it("a missing program is an unknown result, not an exception", async () => {
    const r = await runAgent({ class: "nagios", plugin: "check_does_not_exist" }, "monitor", {
      timeoutMs: 5_000,
    });
    expect(r.state).toBe("unknown");
    expect(r.reason).toMatch(/cannot run .*ENOENT/);
  });
});

describe("systemd", () => {
  it.skipIf(systemdRunning)(
    "without systemd as init, a unit's status is unknown with the reason",
    async () => {
      const r = (await runAgent({ class: "systemd", unit: "ssh.service" }, "monitor", {
        timeoutMs: 5_000,
      })) as SystemdResult;
      expect(r.state).toBe("unknown");
      expect(r.reason).toMatch(/systemd is not running/);
      expect(r.run).toBeUndefined();
    },
  );

  it.skipIf(!systemdRunning)(
    `a unit's active and sub state${systemdRunning ? "" : " (skipped: /run/systemd/system absent, systemd is not running)"}`,
    async () => {
      const r = (await runAgent({ class: "systemd", unit: "systemd-journald.service" }, "monitor", {
        timeoutMs: 10_000,
      })) as SystemdResult;
      expect(r.activeState).toBe("active");
      expect(r.subState).toBe("running");
      expect(r.state).toBe("ok");
      const missing = (await runAgent(
        { class: "systemd", unit: "assim-no-such-unit.service" },
        "monitor",
        { timeoutMs: 10_000 },
      )) as SystemdResult;
      expect(missing.loadState).toBe("not-found");
      expect(missing.state).toBe("unknown");
    },
  );
});
