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
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeServer, isAlive, listen, portOf } from "../../test/support/monitor.js";
import type { AgentResult } from "./agent-result.js";
import { ResourceManager, type ResourceManagerOptions } from "./resource-manager.js";
import { DEFAULT_PATHS } from "./run-agent.js";

const hasPlugins = existsSync(join(DEFAULT_PATHS.pluginDir, "check_tcp"));
const hasDummy = existsSync("/usr/lib/ocf/resource.d/heartbeat/Dummy");

const dir = mkdtempSync(join(tmpdir(), "assim-resource-manager-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Change {
  id: string;
  previous: AgentResult | null;
  current: AgentResult;
  at: number;
}

let managers: ResourceManager[] = [];
afterEach(async () => {
  await Promise.all(managers.map((m) => m.close()));
  managers = [];
});

function manager(options: Partial<ResourceManagerOptions> = {}): {
  rm: ResourceManager;
  changes: Change[];
} {
  const changes: Change[] = [];
  const rm = new ResourceManager({
    onChange: (id, previous, current) => changes.push({ id, previous, current, at: Date.now() }),
    ...options,
  });
  managers.push(rm);
  return { rm, changes };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An init script that records how many runs overlap (in `$1`'s dir) and sleeps. */
function concurrencyScript(initDir: string, name: string, seconds: number): string {
  const work = join(dir, `${name}.running`);
  const log = join(dir, `${name}.log`);
  mkdirSync(work, { recursive: true });
  mkdirSync(initDir, { recursive: true });
  writeFileSync(
    join(initDir, name),
    [
      "#!/bin/sh",
      `touch ${work}/$$`,
      `ls ${work} | wc -l >> ${log}`,
      `sleep ${seconds}`,
      `rm -f ${work}/$$`,
      "exit 0",
      "",
    ].join("\n"),
  );
  chmodSync(join(initDir, name), 0o755);
  return log;
}

function counts(log: string): number[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number);
}

describe.skipIf(!hasPlugins)(
  `monitoring a TCP service${hasPlugins ? "" : " (skipped: check_tcp not installed)"}`,
  () => {
    it("reports the failure within one interval, the recovery, and nothing while it is steady", async () => {
      const interval = 400;
      let server = await listen();
      const port = portOf(server);
      const { rm, changes } = manager();
      rm.add({
        id: "tcp",
        agent: {
          class: "nagios",
          plugin: "check_tcp",
          args: ["-H", "127.0.0.1", "-p", String(port), "-t", "2"],
        },
        intervalMs: interval,
        timeoutMs: 5_000,
      });
      await waitFor("first result", () => changes.length === 1);
      expect(changes[0]?.previous).toBeNull();
      expect(changes[0]?.current.state).toBe("ok");

      // Steady: several checks run, none is reported.
      const firstAt = rm.fullStatus().tcp?.lastAt ?? 0;
      await sleep(interval * 4);
      expect(rm.fullStatus().tcp?.lastAt ?? 0).toBeGreaterThan(firstAt + interval * 2);
      expect(changes).toHaveLength(1);

      await closeServer(server);
      const closedAt = Date.now();
      await waitFor("failure", () => changes.length === 2);
      const failure = changes[1];
      expect(failure?.previous?.state).toBe("ok");
      expect(failure?.current.state).toBe("critical");
      if (failure?.current.class !== "nagios") throw new Error("not a nagios result");
      expect(failure.current.status).toBe("CRITICAL");
      // One interval, plus the time the check itself takes to run.
      expect((failure?.at ?? Infinity) - closedAt).toBeLessThan(
        interval + (failure?.current.run?.durationMs ?? 0) + 500,
      );

      await sleep(interval * 3);
      expect(changes).toHaveLength(2);

      server = await listen(port);
      await waitFor("recovery", () => changes.length === 3);
      expect(changes[2]?.previous?.state).toBe("critical");
      expect(changes[2]?.current.state).toBe("ok");
      expect(rm.fullStatus().tcp?.last?.state).toBe("ok");
      await closeServer(server);
    });
  },
);

describe.skipIf(!hasPlugins)(
  `a Nagios WARNING${hasPlugins ? "" : " (skipped: monitoring plugins not installed)"}`,
  () => {
    it("is reported once, as a warning with its text and perfdata, not as a failure", async () => {
      const { rm, changes } = manager();
      const agent = (code: string) => ({
        class: "nagios" as const,
        plugin: "check_dummy",
        args: [code, "load high|load=7.5;5;10;0"],
      });
      rm.add({ id: "w", agent: agent("1"), intervalMs: 100, timeoutMs: 5_000 });
      await waitFor("warning", () => changes.length === 1);
      const warning = changes[0]?.current;
      if (warning?.class !== "nagios") throw new Error("not a nagios result");
      expect(warning.state).toBe("warning");
      expect(warning.status).toBe("WARNING");
      expect(warning.text).toBe("WARNING: load high");
      expect(warning.perfdata[0]).toMatchObject({ label: "load", value: 7.5, warn: "5" });
      await sleep(400);
      expect(changes).toHaveLength(1);
    });
  },
);

describe("scheduling", () => {
  it("never runs more than maxConcurrent operations at once, and queues the rest", async () => {
    const initDir = join(dir, "init-cap");
    const log = concurrencyScript(initDir, "slow", 0.3);
    const { rm } = manager({ maxConcurrent: 2, paths: { initDir } });
    for (let i = 0; i < 6; i++) {
      rm.add({
        id: `r${i}`,
        agent: { class: "lsb", name: "slow" },
        intervalMs: 50,
        timeoutMs: 5_000,
      });
    }
    // Every resource gets its turn despite the queue.
    await waitFor(
      "12 runs and a result for every resource",
      () =>
        counts(log).length >= 12 && Object.values(rm.fullStatus()).every((s) => s.last !== null),
      15_000,
    );
    await rm.close();
    expect(Math.max(...counts(log))).toBe(2);
  });

  it("spreads resources added together over their interval instead of queueing them every round", async () => {
    const initDir = join(dir, "init-spread");
    // 0.1 s of work each, 5 of them every 4 s through one slot: an eighth of the time busy.
    // Interval and bound leave room for a loaded machine, where each run may take far longer
    // than 0.1 s; the old schedule queued all 5 every round.
    concurrencyScript(initDir, "spread", 0.1);
    const { rm } = manager({ maxConcurrent: 1, paths: { initDir } });
    for (let i = 0; i < 5; i++) {
      rm.add({
        id: `s${i}`,
        agent: { class: "lsb", name: "spread" },
        intervalMs: 4000,
        timeoutMs: 5_000,
      });
    }
    // The first round queues (all due at once, one slot); later rounds should not.
    await waitFor(
      "the first round",
      () => Object.values(rm.fullStatus()).every((s) => s.last !== null),
      10_000,
    );
    let mostBusy = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      mostBusy = Math.max(mostBusy, Object.values(rm.fullStatus()).filter((s) => s.busy).length);
      await sleep(20);
    }
    expect(mostBusy).toBeGreaterThan(0);
    expect(mostBusy).toBeLessThanOrEqual(3);
  });

  it("runs one operation per resource at a time, commands included", async () => {
    const initDir = join(dir, "init-one");
    const log = concurrencyScript(initDir, "one", 0.2);
    const { rm, changes } = manager({ maxConcurrent: 8, paths: { initDir } });
    rm.add({ id: "one", agent: { class: "lsb", name: "one" }, intervalMs: 20, timeoutMs: 5_000 });
    const commands = await Promise.all([rm.start("one"), rm.stop("one"), rm.start("one")]);
    expect(commands.map((c) => c.state)).toEqual(["ok", "stopped", "ok"]);
    await waitFor("8 runs", () => counts(log).length >= 8, 15_000);
    await rm.close();
    expect(Math.max(...counts(log))).toBe(1);
    expect(changes[0]?.current.state).toBe("ok");
  });

  it("close() kills a running operation's process group", async () => {
    const initDir = join(dir, "init-hung");
    mkdirSync(initDir, { recursive: true });
    const pidFile = join(dir, "hung.pid");
    writeFileSync(
      join(initDir, "hung"),
      `#!/bin/sh\n(trap '' TERM; exec sleep 300) &\necho $! > ${pidFile}\nsleep 300\n`,
    );
    chmodSync(join(initDir, "hung"), 0o755);
    const { rm, changes } = manager({ paths: { initDir }, killGraceMs: 200 });
    rm.add({
      id: "hung",
      agent: { class: "lsb", name: "hung" },
      intervalMs: 1000,
      timeoutMs: 60_000,
    });
    await waitFor(
      "the child pid",
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8") !== "",
    );
    const child = Number(readFileSync(pidFile, "utf8"));
    expect(isAlive(child)).toBe(true);
    const t0 = Date.now();
    await rm.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(isAlive(child)).toBe(false);
    expect(changes).toHaveLength(0);
  });

  it("a hung check becomes an unknown result after its timeout", async () => {
    const initDir = join(dir, "init-timeout");
    mkdirSync(initDir, { recursive: true });
    writeFileSync(join(initDir, "stuck"), "#!/bin/sh\nexec sleep 300\n");
    chmodSync(join(initDir, "stuck"), 0o755);
    const { rm, changes } = manager({ paths: { initDir }, killGraceMs: 100 });
    rm.add({
      id: "stuck",
      agent: { class: "lsb", name: "stuck" },
      intervalMs: 1000,
      timeoutMs: 300,
    });
    await waitFor("timeout result", () => changes.length === 1);
    expect(changes[0]?.current.state).toBe("unknown");
    expect(changes[0]?.current.reason).toMatch(/timed out after 300 ms/);
  });

  it("add rejects bad specs and duplicates; remove stops reports; update restarts history", async () => {
    const initDir = join(dir, "init-crud");
    mkdirSync(initDir, { recursive: true });
    for (const [name, code] of [
      ["up", 0],
      ["down", 3],
    ] as const) {
      writeFileSync(join(initDir, name), `#!/bin/sh\nexit ${code}\n`);
      chmodSync(join(initDir, name), 0o755);
    }
    const { rm, changes } = manager({ paths: { initDir } });
    expect(() =>
      rm.add({ id: "bad", agent: { class: "lsb", name: "../x" }, intervalMs: 100, timeoutMs: 100 }),
    ).toThrow(/LSB script/);
    rm.add({ id: "a", agent: { class: "lsb", name: "up" }, intervalMs: 50, timeoutMs: 2_000 });
    expect(() =>
      rm.add({ id: "a", agent: { class: "lsb", name: "up" }, intervalMs: 50, timeoutMs: 2_000 }),
    ).toThrow(/already exists/);
    await waitFor("first", () => changes.length === 1);
    rm.update({ id: "a", agent: { class: "lsb", name: "down" }, intervalMs: 50, timeoutMs: 2_000 });
    await waitFor("after update", () => changes.length === 2);
    expect(changes[1]?.previous).toBeNull();
    expect(changes[1]?.current.state).toBe("stopped");
    await rm.remove("a");
    expect(rm.has("a")).toBe(false);
    await sleep(200);
    expect(changes).toHaveLength(2);
  });
});

describe.skipIf(!hasDummy)(
  `start and stop on command (ocf:heartbeat:Dummy)${hasDummy ? "" : " (skipped: not installed)"}`,
  () => {
    it("start, stop and restart run the agent and the change is reported", async () => {
      const state = join(dir, "rm-dummy.state");
      const { rm, changes } = manager();
      rm.add({
        id: "dummy",
        agent: { class: "ocf", provider: "heartbeat", type: "Dummy", params: { state } },
        intervalMs: 5_000,
        timeoutMs: 10_000,
      });
      await waitFor("first", () => changes.length === 1);
      expect(changes[0]?.current.code).toBe(7);
      expect(changes[0]?.current.state).toBe("stopped");

      const started = await rm.start("dummy");
      expect(started.code).toBe(0);
      // The check right after the command reports it, long before the 5 s interval.
      await waitFor("running", () => changes.length === 2, 2_000);
      expect(changes[1]?.current.state).toBe("ok");

      const restarted = await rm.restart("dummy");
      expect(restarted.state).toBe("ok");
      expect(existsSync(state)).toBe(true);

      await rm.stop("dummy");
      await waitFor("stopped", () => changes.length === 3, 2_000);
      expect(changes[2]?.current.state).toBe("stopped");
      expect(rm.fullStatus().dummy?.last?.code).toBe(7);
    });
  },
);
