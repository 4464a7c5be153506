import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import neo4j from "neo4j-driver";
import { afterAll, describe, expect, it } from "vitest";
import { readCoordinates } from "../cma/graph/neo4j-server/coordinates.js";
import { packageRoot } from "../lib/package-root.js";
import { assimBin } from "./support/cli.js";
import { launcherPidsFor, NEO4J_START_TIMEOUT_MS, neo4jSkipReason } from "./support/neo4j.js";

const skipReason = neo4jSkipReason();
const { neo4jVersion } = readCoordinates();

/** Runs the built CLI with a controlled environment (no inherited data dir or password). */
function assim(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.ASSIM_DATA_DIR;
  delete base.NEO4J_PASSWORD;
  return spawnSync(process.execPath, [assimBin, ...args], {
    encoding: "utf8",
    cwd: packageRoot(),
    env: { ...base, ...env },
    timeout: NEO4J_START_TIMEOUT_MS,
  });
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 60_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const scratch = mkdtempSync(join(tmpdir(), "assim-neo4j-cli-"));
afterAll(() => {
  // Whatever a failed test left running goes down with SIGTERM (never SIGKILL: no recovery).
  for (const pid of launcherPidsFor(scratch)) process.kill(pid, "SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
});

describe("assim neo4j: usage", () => {
  it.each([
    ["neo4j"],
    ["neo4j", "start"],
    ["neo4j", "status"],
    ["neo4j", "stop"],
    ["neo4j", "fetch"],
  ])("%s %s --help prints usage and exits 0", (...args) => {
    const result = assim([...args, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim neo4j/);
  });

  it.each([
    [["--port", "http"], 'port must be an integer 0..65535, got "http"'],
    [["--port", "70000"], 'port must be an integer 0..65535, got "70000"'],
    [["--heap", "2gb"], '--heap must be a size such as 512m or 2g, got "2gb"'],
    [["--timeout", "soon"], '--timeout must be a number of seconds > 0, got "soon"'],
    [["--auth"], "--auth needs the password in the NEO4J_PASSWORD variable"],
  ])("start %j is a usage error (exit 2) and starts nothing", (flags, message) => {
    const dataDir = join(scratch, "usage");
    const result = assim(["neo4j", "start", "--data-dir", dataDir, ...flags]);
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
    expect(existsSync(join(dataDir, "neo4j"))).toBe(false);
  });

  it("status says stopped (exit 3) and stop says not running (exit 0) when nothing runs", () => {
    const dataDir = join(scratch, "empty");
    const status = assim(["neo4j", "status", "--data-dir", dataDir]);
    expect(status.stdout).toBe("stopped\n");
    expect(status.status).toBe(3);
    const stop = assim(["neo4j", "stop", "--data-dir", dataDir]);
    expect(stop.stdout).toBe("not running\n");
    expect(stop.status).toBe(0);
  });
});

describe.skipIf(skipReason !== "")("assim neo4j: a real DBMS", () => {
  it(
    "start (detached) → status → Cypher → start again → stop → status",
    async () => {
      const dataDir = join(scratch, "detached");
      const home = join(dataDir, "neo4j", "home");
      const started = assim(["neo4j", "start", "--data-dir", dataDir, "--port", "0"]);
      expect(started.stderr).toBe("");
      expect(started.status).toBe(0);
      const match = /^started Neo4j (\S+): (bolt:\/\/127\.0\.0\.1:\d+) \(pid (\d+), /.exec(
        started.stdout,
      );
      expect(match?.[1]).toBe(neo4jVersion);
      const uri = match?.[2] as string;
      const pid = Number(match?.[3]);
      const state = JSON.parse(readFileSync(join(dataDir, "neo4j", "state.json"), "utf8"));
      expect(state).toMatchObject({ pid, uri, home, version: neo4jVersion });
      expect(launcherPidsFor(home)).toEqual([pid]);

      // The data-dir rule: ASSIM_DATA_DIR finds the same DBMS as --data-dir.
      const status = assim(["neo4j", "status"], { ASSIM_DATA_DIR: dataDir });
      expect(status.stdout).toBe(`running: ${uri} (pid ${pid}, Neo4j/${neo4jVersion}, Bolt 5.8)\n`);
      expect(status.status).toBe(0);

      const driver = neo4j.driver(uri);
      try {
        await driver.executeQuery("CREATE (:CliProbe {n: $n})", { n: neo4j.int(42) });
        const { records } = await driver.executeQuery("MATCH (p:CliProbe) RETURN p.n AS n");
        expect(records.map((r) => r.get("n").toNumber())).toEqual([42]);
      } finally {
        await driver.close();
      }

      const again = assim(["neo4j", "start", "--data-dir", dataDir, "--port", "0"]);
      expect(again.stdout).toBe(`already running: ${uri} (pid ${pid})\n`);
      expect(again.status).toBe(0);
      expect(launcherPidsFor(home)).toEqual([pid]);

      const stopped = assim(["neo4j", "stop", "--data-dir", dataDir]);
      expect(stopped.stdout).toMatch(new RegExp(`^stopped \\(pid ${pid}, [\\d.]+ s\\)\\n$`));
      expect(stopped.status).toBe(0);
      expect(launcherPidsFor(home)).toEqual([]);
      expect(existsSync(join(dataDir, "neo4j", "state.json"))).toBe(false);
      expect(readFileSync(join(dataDir, "neo4j", "neo4j.out"), "utf8")).toBe(
        `READY ${uri}\nSTOPPED\n`,
      );

      const after = assim(["neo4j", "status", "--data-dir", dataDir]);
      expect(after.stdout).toBe("stopped\n");
      expect(after.status).toBe(3);
    },
    NEO4J_START_TIMEOUT_MS,
  );

  it(
    "--foreground --auth: the password is required, SIGTERM stops it and exits 0",
    async () => {
      const dataDir = join(scratch, "foreground");
      const home = join(dataDir, "neo4j", "home");
      const password = "correct horse battery staple";
      const cli = spawn(
        process.execPath,
        [
          assimBin,
          "neo4j",
          "start",
          "--foreground",
          "--auth",
          "--data-dir",
          dataDir,
          "--port",
          "0",
        ],
        { env: { ...process.env, NEO4J_PASSWORD: password }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      cli.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => cli.once("exit", resolve));
      await waitUntil("the started line", () => stdout.includes("started"), 300_000);
      const uri = /(bolt:\/\/\S+)/.exec(stdout)?.[1] as string;

      const wrong = neo4j.driver(uri, neo4j.auth.basic("neo4j", "neo4j"));
      await expect(wrong.executeQuery("RETURN 1")).rejects.toMatchObject({
        code: "Neo.ClientError.Security.Unauthorized",
      });
      await wrong.close();
      const right = neo4j.driver(uri, neo4j.auth.basic("neo4j", password));
      const { records } = await right.executeQuery("RETURN 1 + 1 AS two");
      expect(records[0]?.get("two").toNumber()).toBe(2);
      await right.close();

      cli.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/\nstopped\n$/);
      expect(launcherPidsFor(home)).toEqual([]);
      expect(existsSync(join(dataDir, "neo4j", "state.json"))).toBe(false);
    },
    NEO4J_START_TIMEOUT_MS,
  );

  it(
    "a foreground DBMS whose assim process is killed -9 stops by itself (no orphan JVM)",
    async () => {
      const dataDir = join(scratch, "orphan");
      const home = join(dataDir, "neo4j", "home");
      const cli = spawn(
        process.execPath,
        [assimBin, "neo4j", "start", "--foreground", "--data-dir", dataDir, "--port", "0"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      cli.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      await waitUntil("the started line", () => stdout.includes("started"), 300_000);
      const [jvm] = launcherPidsFor(home);
      expect(jvm).toBeGreaterThan(0);
      cli.kill("SIGKILL");
      await waitUntil("the orphaned JVM to stop", () => launcherPidsFor(home).length === 0);
      // It went down through the clean path: the store was checkpointed at shutdown.
      const debugLog = readFileSync(join(home, "logs", "debug.log"), "utf8");
      expect(debugLog).toContain('Checkpoint triggered by "Database shutdown"');
    },
    NEO4J_START_TIMEOUT_MS,
  );
});
