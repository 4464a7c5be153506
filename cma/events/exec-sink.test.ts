import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturedLog } from "../../test/support/captured-log.js";
import { waitUntil } from "../../test/support/wait-until.js";
import { type CmaEvent, toCmaEvent } from "./event.js";
import { ExecSink, type ExecSinkOptions } from "./exec-sink.js";

let root: string;
let scripts: string;
let out: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "assim-exec-"));
  scripts = join(root, "scripts");
  out = join(root, "out");
  await mkdir(scripts);
  await mkdir(out);
});
/** Processes the scripts under test started, killed after each test should the sink have failed to. */
const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone, as it should be.
    }
  }
  await rm(root, { recursive: true, force: true });
});

async function script(name: string, body: string, mode = 0o755): Promise<void> {
  const path = join(scripts, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
}

async function childPid(): Promise<number> {
  await waitUntil(() => existsSync(join(out, "child.pid")));
  const pid = Number((await readFile(join(out, "child.pid"), "utf8")).trim());
  started.push(pid);
  return pid;
}

function sink(options: Partial<ExecSinkOptions> = {}) {
  const { log, lines } = capturedLog();
  return { sink: new ExecSink({ dir: scripts, log, closeDeadlineMs: 10_000, ...options }), lines };
}

const event = (n: number): CmaEvent =>
  toCmaEvent({ type: "host_up", system: `h${n}`, reason: "joined" });

/** Alive and not a zombie: a killed process whose parent has not reaped it yet is gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("ExecSink", () => {
  it("passes hostile values only as JSON on stdin and in the environment, never to a shell", async () => {
    const marker = (name: string) => join(root, `executed-${name}`);
    await script(
      "10-record",
      [
        `cat > '${out}/stdin.json'`,
        `printf '%s' "$ASSIM_EVENT_SYSTEM" > '${out}/system.txt'`,
        `printf '%s' "$ASSIM_EVENT_TYPE" > '${out}/type.txt'`,
      ].join("\n"),
    );
    const hostile = toCmaEvent({
      type: "host_down",
      system: `$(touch ${marker("system")}); touch ${marker("system2")}`,
      hostname: `"; touch ${marker("quote")} #\n$(touch ${marker("subshell")})\n\`touch ${marker("backtick")}\`\n'; touch ${marker("single")}`,
      reason: "silent\r\n$(id)",
      details: { note: "$(id) && touch x" },
    });
    const { sink: exec } = sink();
    exec.deliver(hostile);
    await exec.close();

    const stdin = await readFile(join(out, "stdin.json"), "utf8");
    expect(stdin).toBe(`${JSON.stringify(hostile)}\n`);
    expect(JSON.parse(stdin)).toEqual(hostile);
    expect(await readFile(join(out, "system.txt"), "utf8")).toBe(hostile.system);
    expect(await readFile(join(out, "type.txt"), "utf8")).toBe("host_down");
    for (const name of ["system", "system2", "quote", "subshell", "backtick", "single"]) {
      expect(existsSync(marker(name)), name).toBe(false);
    }
    expect(exec.stats()).toMatchObject({ succeeded: 1, failed: 0 });
  });

  it("runs executable regular files in name order, skipping others and hidden files", async () => {
    const record = (name: string) => `echo ${name} >> '${out}/ran'`;
    await script("20-second", record("20-second"));
    await script("03-first", record("03-first"));
    await script("10-not-executable", record("10-not-executable"), 0o644);
    await script(".hidden", record(".hidden"));
    await mkdir(join(scripts, "15-directory"));
    const { sink: exec } = sink({ maxRunning: 1 });
    exec.deliver(event(1));
    await exec.close();
    expect(await readFile(join(out, "ran"), "utf8")).toBe("03-first\n20-second\n");
  });

  it("lists the directory again for every event", async () => {
    await script("a", `echo "a $ASSIM_EVENT_SYSTEM" >> '${out}/ran'`);
    const { sink: exec } = sink();
    exec.deliver(event(1));
    await waitUntil(() => exec.stats().succeeded === 1);
    await script("b", `echo "b $ASSIM_EVENT_SYSTEM" >> '${out}/ran'`);
    exec.deliver(event(2));
    await exec.close();
    const ran = (await readFile(join(out, "ran"), "utf8")).trimEnd().split("\n").sort();
    expect(ran).toEqual(["a h1", "a h2", "b h2"]);
  });

  it("kills a script and the processes it started once the timeout passes", async () => {
    await script(
      "forever",
      [`echo starting >&2`, `sleep 1000 &`, `echo $! > '${out}/child.pid'`, `wait`].join("\n"),
    );
    const { sink: exec, lines } = sink({ timeoutMs: 1_000, killGraceMs: 200 });
    const since = Date.now();
    exec.deliver(event(1));
    const child = await childPid();
    expect(isRunning(child)).toBe(true);
    await exec.close();
    expect(Date.now() - since).toBeLessThan(3_000);
    await waitUntil(() => !isRunning(child), 2_000);

    expect(exec.stats()).toMatchObject({ timedOut: 1, succeeded: 0, running: 0 });
    const warning = lines.find((line) => line.level === "warn" && line.script === "forever");
    expect(warning?.stderr).toBe("starting\n");
  });

  it("kills with SIGKILL a script group that ignores SIGTERM", async () => {
    await script(
      "stubborn",
      [`trap '' TERM`, `sleep 1000 &`, `echo $! > '${out}/child.pid'`, `wait`].join("\n"),
    );
    const { sink: exec } = sink({ timeoutMs: 200, killGraceMs: 200 });
    const since = Date.now();
    exec.deliver(event(1));
    const child = await childPid();
    await exec.close();
    // Well before the close deadline, which would also kill it.
    expect(Date.now() - since).toBeLessThan(3_000);
    await waitUntil(() => !isRunning(child), 2_000);
    expect(exec.stats()).toMatchObject({ timedOut: 1 });
  });

  it("logs a failing script with its exit code and the first 500 bytes of stderr", async () => {
    await script("fails", `printf 'e%.0s' $(seq 1 2000) >&2\nexit 3`);
    const { sink: exec, lines } = sink();
    const raised = event(1);
    exec.deliver(raised);
    await exec.close();
    const warning = lines.find((line) => line.level === "warn" && line.script === "fails");
    expect(warning).toMatchObject({ code: 3, eventId: raised.id, stderr: "e".repeat(500) });
    expect(exec.stats()).toMatchObject({ failed: 1, succeeded: 0 });
  });

  it("runs at most maxRunning scripts at once and queues the rest", async () => {
    for (const name of ["a", "b", "c", "d", "e"]) {
      await script(
        name,
        [
          `touch '${out}/running.${name}'`,
          `ls '${out}' | grep -c '^running' >> '${root}/counts'`,
          `sleep 0.3`,
          `rm '${out}/running.${name}'`,
        ].join("\n"),
      );
    }
    const { sink: exec } = sink({ maxRunning: 2 });
    exec.deliver(event(1));
    await waitUntil(() => exec.stats().running === 2);
    expect(exec.stats()).toMatchObject({ running: 2, queued: 3 });
    await exec.close();
    const counts = (await readFile(join(root, "counts"), "utf8")).trimEnd().split("\n").map(Number);
    expect(counts).toHaveLength(5);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(exec.stats()).toMatchObject({ succeeded: 5, running: 0, queued: 0 });
  });

  it("counts a missing directory without throwing, logging once", async () => {
    const { log, lines } = capturedLog();
    const exec = new ExecSink({ dir: join(root, "missing"), log });
    exec.deliver(event(1));
    exec.deliver(event(2));
    await exec.close();
    expect(exec.stats()).toMatchObject({ listFailures: 2 });
    expect(lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("kills running scripts and drops queued ones at the close deadline", async () => {
    for (const name of ["a", "b"]) await script(name, "sleep 1000");
    const { sink: exec, lines } = sink({ maxRunning: 1, closeDeadlineMs: 200 });
    exec.deliver(event(1));
    await waitUntil(() => exec.stats().running === 1);
    const since = Date.now();
    await exec.close();
    expect(Date.now() - since).toBeLessThan(3_000);
    expect(exec.stats()).toMatchObject({ abandoned: 1, running: 0, queued: 0 });
    const warning = lines.find((line) => Array.isArray(line.killed));
    expect(warning?.killed).toEqual(["a"]);
  });
});
