import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import {
  checkPort,
  checkSize,
  ensureLauncherCompiled,
  ensureNeo4jJars,
  findJava,
  forgetNeo4jJars,
  type Neo4jJars,
  type Neo4jServer,
  Neo4jStartError,
  probeBolt,
  startNeo4j,
} from "../../cma/graph/neo4j-server/index.js";
import {
  isLauncherRunning,
  type Neo4jState,
  neo4jDir,
  readState,
  removeState,
  writeState,
} from "../../cma/graph/neo4j-server/state.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { UsageError } from "../errors.js";

/** `assim neo4j status` exit code when nothing runs (the LSB convention for "not running"). */
export const STATUS_STOPPED = 3;

interface StartOptions {
  dataDir?: string;
  port: string;
  heap: string;
  pagecache: string;
  auth?: boolean;
  foreground?: boolean;
  timeout: string;
}

function seconds(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${name} must be a number of seconds > 0, got "${text}"`);
  }
  return value;
}

function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function clientAuth(): { user: string; password: string } | undefined {
  const password = process.env.NEO4J_PASSWORD;
  return password ? { user: process.env.NEO4J_USER || "neo4j", password } : undefined;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function start(options: StartOptions): Promise<void> {
  const dataDir = resolveDataDir(options.dataDir);
  const port = usage(() =>
    checkPort(/^\d+$/.test(options.port) ? Number(options.port) : Number.NaN, options.port),
  );
  const heap = usage(() => checkSize("--heap", options.heap));
  const pagecache = usage(() => checkSize("--pagecache", options.pagecache));
  const timeout = seconds("--timeout", options.timeout);
  let password: string | undefined;
  if (options.auth) {
    password = process.env.NEO4J_PASSWORD;
    if (!password) throw new UsageError("--auth needs the password in the NEO4J_PASSWORD variable");
  }

  const running = readState(dataDir);
  if (running && isLauncherRunning(running)) {
    say(`already running: ${running.uri} (pid ${running.pid})`);
    return;
  }
  if (running) removeState(dataDir);

  const dir = neo4jDir(dataDir);
  const began = Date.now();
  let server: Neo4jServer;
  try {
    server = await startNeo4j({
      home: join(dir, "home"),
      port,
      heap,
      pagecache,
      password,
      readyTimeoutMs: timeout * 1000,
      ...(options.foreground
        ? { onOutput: (line: string) => process.stderr.write(`${line}\n`) }
        : { logFile: join(dir, "neo4j.out") }),
    });
  } catch (error) {
    if (!(error instanceof Neo4jStartError)) throw error;
    // The message already carries the JVM's own account; a Node stack would only add noise.
    process.stderr.write(`assim neo4j: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const state: Neo4jState = {
    pid: server.pid,
    uri: server.uri,
    port: server.port,
    home: server.home,
    version: server.version,
    log: options.foreground ? "(foreground)" : join(dir, "neo4j.out"),
    startedAt: new Date().toISOString(),
  };
  await writeState(dataDir, state);
  const took = ((Date.now() - began) / 1000).toFixed(1);
  say(`started Neo4j ${server.version}: ${server.uri} (pid ${server.pid}, ${took} s)`);
  if (!options.foreground) return;

  // Foreground: stay until a signal, then stop Neo4j and exit 0.
  const stopRequested = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const outcome = await Promise.race([stopRequested.then(() => "signal" as const), server.exited]);
  const exit = outcome === "signal" ? await server.stop() : outcome;
  removeState(dataDir);
  if (exit.code !== 0) {
    process.stderr.write(`assim neo4j: Neo4j exited with ${exit.signal ?? `code ${exit.code}`}\n`);
    process.exitCode = 1;
  } else {
    say("stopped");
  }
}

async function status(options: { dataDir?: string }): Promise<void> {
  const dataDir = resolveDataDir(options.dataDir);
  const state = readState(dataDir);
  if (!state || !isLauncherRunning(state)) {
    say(state ? `stopped (stale state for pid ${state.pid})` : "stopped");
    process.exitCode = STATUS_STOPPED;
    return;
  }
  const bolt = await probeBolt(state.uri, clientAuth());
  if (bolt.answers) {
    say(`running: ${state.uri} (pid ${state.pid}, ${bolt.agent}, Bolt ${bolt.protocol})`);
  } else {
    say(`not answering: ${state.uri} (pid ${state.pid} is alive; Bolt: ${bolt.error})`);
    process.exitCode = 1;
  }
}

async function stop(options: { dataDir?: string; timeout: string }): Promise<void> {
  const dataDir = resolveDataDir(options.dataDir);
  const timeout = seconds("--timeout", options.timeout);
  const state = readState(dataDir);
  if (!state || !isLauncherRunning(state)) {
    if (state) removeState(dataDir);
    say("not running");
    return;
  }
  const began = Date.now();
  process.kill(state.pid, "SIGTERM");
  while (isLauncherRunning(state)) {
    if (Date.now() - began > timeout * 1000) {
      throw new Error(
        `Neo4j (pid ${state.pid}) is still running ${timeout} s after SIGTERM; see ${state.log}`,
      );
    }
    await sleep(100);
  }
  removeState(dataDir);
  say(`stopped (pid ${state.pid}, ${((Date.now() - began) / 1000).toFixed(1)} s)`);
}

async function fetch(options: { force?: boolean }): Promise<void> {
  if (options.force) forgetNeo4jJars();
  let jars: Neo4jJars;
  try {
    const tools = await findJava();
    jars = await ensureNeo4jJars();
    await ensureLauncherCompiled(tools, jars.runtimeDir, jars.libDir);
  } catch (error) {
    process.stderr.write(`assim neo4j fetch: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  say(
    `Neo4j ${jars.version}: ${jars.jarCount} jars in ${jars.libDir}${jars.fetched ? "" : " (cached)"}`,
  );
}

const DATA_DIR_FLAG = "--data-dir <dir>";
const DATA_DIR_HELP = "data directory (default: $ASSIM_DATA_DIR, else ./.assim)";

export function registerNeo4j(program: Command): void {
  const neo4j = program
    .command("neo4j")
    .description("run a local Neo4j Community DBMS (Bolt on 127.0.0.1) for development and tests")
    .addHelpText(
      "after",
      "\nThe jars come from Maven once and are cached under $XDG_CACHE_HOME/assim (~/.cache/assim);\n" +
        "the database lives in DATA-DIR/neo4j/home. Java 17 (or 21) and Maven are needed.",
    );

  neo4j
    .command("start")
    .description("start Neo4j in the background (or --foreground) and wait until Bolt answers")
    .option(DATA_DIR_FLAG, DATA_DIR_HELP)
    .option("-p, --port <port>", "Bolt port on 127.0.0.1 (0: any free port)", "7687")
    .option("--heap <size>", "JVM heap", "1g")
    .option("--pagecache <size>", "Neo4j page cache", "256m")
    .option("--auth", "require a password (user neo4j, password from $NEO4J_PASSWORD)")
    .option("--foreground", "stay attached; stop Neo4j on Ctrl-C or SIGTERM")
    .option("--timeout <seconds>", "how long to wait for Neo4j to be ready", "180")
    .addHelpText(
      "after",
      "\nPrints the Bolt URI; `assim neo4j status` prints it again. Authentication is off unless\n" +
        "--auth is given: the DBMS listens on 127.0.0.1 only.",
    )
    .action(start);

  neo4j
    .command("status")
    .description(
      "say whether Neo4j runs and answers Bolt (exit 0 running, 3 stopped, 1 unresponsive)",
    )
    .option(DATA_DIR_FLAG, DATA_DIR_HELP)
    .action(status);

  neo4j
    .command("stop")
    .description("stop Neo4j with SIGTERM and wait until it has shut down cleanly")
    .option(DATA_DIR_FLAG, DATA_DIR_HELP)
    .option("--timeout <seconds>", "how long to wait for the shutdown", "60")
    .action(stop);

  neo4j
    .command("fetch")
    .description("download the Neo4j jars into the cache and compile the launcher (done once)")
    .option("--force", "fetch again even if the cache is complete")
    .action(fetch);
}
