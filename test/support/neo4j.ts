/**
 * A real Neo4j for tests: one DBMS per test file, in a temporary home, on an
 * ephemeral port of 127.0.0.1, stopped (SIGTERM, clean shutdown) afterwards.
 *
 * Under CI=true Neo4j is required: a missing Java or Maven makes the tests fail in
 * beforeAll instead of skipping. Elsewhere they skip, saying why.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import neo4j, { type Driver } from "neo4j-driver";
import { afterAll, beforeAll } from "vitest";
import { neo4jRuntimeDir } from "../../cma/graph/neo4j-server/cache.js";
import { readCoordinates } from "../../cma/graph/neo4j-server/coordinates.js";
import { locateJava } from "../../cma/graph/neo4j-server/java.js";
import {
  type Neo4jExit,
  type Neo4jServer,
  type StartNeo4jOptions,
  startNeo4j,
} from "../../cma/graph/neo4j-server/launcher.js";

/** CI must prove the Neo4j paths, never skip them. */
export const neo4jRequired = process.env.CI === "true";

/** Starting takes seconds; a first run may also fetch ~130 MB of jars with Maven. */
export const NEO4J_START_TIMEOUT_MS = 15 * 60_000;
export const NEO4J_STOP_TIMEOUT_MS = 90_000;

function onPath(command: string): boolean {
  return (process.env.PATH ?? "")
    .split(":")
    .some((dir) => dir !== "" && existsSync(join(dir, command)));
}

/** Why Neo4j cannot be started on this machine, or "" when it can (as far as we can tell cheaply). */
export function neo4jUnavailableReason(): string {
  try {
    locateJava();
  } catch (error) {
    return (error as Error).message;
  }
  const jarsCached = existsSync(
    join(neo4jRuntimeDir(readCoordinates().neo4jVersion), "complete.json"),
  );
  if (!jarsCached && !onPath("mvn")) {
    return "the Neo4j jars are not cached and Maven (mvn) is not installed to fetch them";
  }
  return "";
}

/** "" when the Neo4j tests should run; otherwise the reason they skip (never under CI). */
export function neo4jSkipReason(): string {
  if (neo4jRequired) return "";
  const reason = neo4jUnavailableReason();
  if (reason) console.warn(`Neo4j tests skipped: ${reason}`);
  return reason;
}

/** Pids of live launcher JVMs whose arguments mention `home` (to prove none is left behind). */
export function launcherPidsFor(home: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.includes("Launcher") && argv.includes(home)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export interface TestNeo4j {
  uri: string;
  driver: Driver;
  server: Neo4jServer;
  home: string;
  /** Closes the driver, stops the DBMS, removes its home; resolves with the JVM's exit. */
  stop(): Promise<Neo4jExit>;
}

/** Starts a DBMS in a fresh temporary home (or `options.home`) and connects a driver. */
export async function startTestNeo4j(options: Partial<StartNeo4jOptions> = {}): Promise<TestNeo4j> {
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), "assim-neo4j-"));
  let server: Neo4jServer;
  try {
    server = await startNeo4j({ port: 0, heap: "1g", pagecache: "128m", ...options, home });
  } catch (error) {
    if (ownHome) rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const driver = neo4j.driver(server.uri, undefined, { maxConnectionPoolSize: 20 });
  let stopped: Promise<Neo4jExit> | undefined;
  return {
    uri: server.uri,
    driver,
    server,
    home,
    stop() {
      stopped ??= (async () => {
        await driver.close();
        const exit = await server.stop();
        if (ownHome) rmSync(home, { recursive: true, force: true });
        return exit;
      })();
      return stopped;
    },
  };
}

export interface Neo4jFixture {
  /** "" when the DBMS runs for this file; otherwise why the tests skip. */
  readonly skipReason: string;
  readonly uri: string;
  readonly driver: Driver;
  readonly instance: TestNeo4j;
}

/**
 * Registers beforeAll/afterAll that start one DBMS for the calling test file:
 *
 *   const db = withNeo4j();
 *   describe.skipIf(db.skipReason !== "")("…", () => { it("…", () => db.driver…) });
 */
export function withNeo4j(options: Partial<StartNeo4jOptions> = {}): Neo4jFixture {
  const skipReason = neo4jSkipReason();
  let instance: TestNeo4j | undefined;
  if (!skipReason) {
    beforeAll(async () => {
      instance = await startTestNeo4j(options);
    }, NEO4J_START_TIMEOUT_MS);
    afterAll(async () => {
      const exit = await instance?.stop();
      if (exit && exit.code !== 0) {
        throw new Error(`Neo4j exited with ${exit.signal ?? `code ${exit.code}`} on stop`);
      }
    }, NEO4J_STOP_TIMEOUT_MS);
  }
  const started = (): TestNeo4j => {
    if (!instance) throw new Error("Neo4j is not running (did beforeAll fail?)");
    return instance;
  };
  return {
    skipReason,
    get uri() {
      return started().uri;
    },
    get driver() {
      return started().driver;
    },
    get instance() {
      return started();
    },
  };
}
