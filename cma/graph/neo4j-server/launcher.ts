import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { type EnsureJarsOptions, ensureNeo4jJars, type Neo4jJars } from "./jars.js";
import { ensureLauncherCompiled, findJava, type JavaTools } from "./java.js";

export interface StartNeo4jOptions extends EnsureJarsOptions {
  /** The DBMS home: data/ and logs/ go here. Created if missing. */
  home: string;
  /** Bolt port on 127.0.0.1; 0 picks a free one (default 0). */
  port?: number;
  /** JVM heap, -Xms and -Xmx (default 1g). */
  heap?: string;
  /** Neo4j page cache (default 256m). */
  pagecache?: string;
  /** Cap on the memory of all transactions together (default: Neo4j's, 70% of the heap). */
  txMemory?: string;
  /** Require authentication; the `neo4j` user gets this password. */
  password?: string;
  /** Wait this long for the ready line (default 180 s: a cold start on a busy 2-core box). */
  readyTimeoutMs?: number;
  /**
   * Detach the JVM and send its output to this file, so it outlives this process
   * (`assim neo4j start`). Otherwise its output is piped to us, and it stops by
   * itself when this process goes away (its stdin closes).
   */
  logFile?: string;
  /** Every line the JVM writes, as it comes (pipe mode only). */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface Neo4jExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Neo4jServer {
  uri: string;
  port: number;
  pid: number;
  home: string;
  version: string;
  /** Resolves when the JVM has exited (pipe mode, or detached while we are still alive). */
  exited: Promise<Neo4jExit>;
  /** SIGTERM, then wait for the exit (default 60 s; SIGKILL and an error after that). */
  stop(timeoutMs?: number): Promise<Neo4jExit>;
  /** The last lines of the JVM's output. */
  outputTail(): string;
}

export class Neo4jStartError extends Error {
  override name = "Neo4jStartError";
}

const SIZE = /^[1-9][0-9]*[kmg]?$/i;

/** Checks a memory size such as 512m or 2g; the message names the option. */
export function checkSize(name: string, value: string): string {
  if (!SIZE.test(value)) {
    throw new RangeError(`${name} must be a size such as 512m or 2g, got "${value}"`);
  }
  return value;
}

export function checkPort(value: number, raw: string = String(value)): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new RangeError(`port must be an integer 0..65535, got "${raw}"`);
  }
  return value;
}

/** The flags Neo4j's own server script passes (neo4j.conf), for a JVM of our own. */
function jvmFlags(heap: string): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UseG1GC",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dfile.encoding=UTF-8",
  ];
}

class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly limit = 60) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }
  toString(): string {
    return this.lines.join("\n");
  }
}

/** Feeds the lines appended to a file to `onLine`, polling until stopped. */
function followFile(path: string, onLine: (line: string) => void): () => void {
  let offset = 0;
  let partial = "";
  const buffer = Buffer.alloc(64 * 1024);
  const poll = () => {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return;
    }
    try {
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        if (read <= 0) break;
        offset += read;
        const lines = (partial + buffer.toString("utf8", 0, read)).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(poll, 100);
  return () => {
    clearInterval(timer);
    poll();
  };
}

const READY = /^READY (bolt:\/\/127\.0\.0\.1:(\d+))$/;

/**
 * Starts Neo4j (fetching the jars and compiling the launcher first if needed) and
 * resolves once it prints its ready line; rejects with the tail of its output if it
 * exits, or says nothing within the timeout.
 */
export async function startNeo4j(options: StartNeo4jOptions): Promise<Neo4jServer> {
  const port = checkPort(options.port ?? 0);
  const heap = checkSize("heap", options.heap ?? "1g");
  const pagecache = checkSize("pagecache", options.pagecache ?? "256m");
  if (options.txMemory !== undefined) checkSize("txMemory", options.txMemory);
  const home = resolve(options.home);
  const env = options.env ?? process.env;

  let tools: JavaTools;
  let jars: Neo4jJars;
  let classesDir: string;
  try {
    tools = await findJava(env);
    jars = await ensureNeo4jJars(options);
    classesDir = await ensureLauncherCompiled(tools, jars.runtimeDir, jars.libDir);
  } catch (error) {
    throw new Neo4jStartError(`Neo4j cannot start: ${(error as Error).message}`);
  }

  mkdirSync(home, { recursive: true });
  const args = [
    ...jvmFlags(heap),
    "-cp",
    `${classesDir}:${join(jars.libDir, "*")}`,
    "Launcher",
    "--home",
    home,
    "--port",
    String(port),
    "--pagecache",
    pagecache,
  ];
  if (options.txMemory) args.push("--tx-memory", options.txMemory);
  if (options.password !== undefined) args.push("--auth");
  const childEnv: NodeJS.ProcessEnv = { ...env };
  delete childEnv.NEO4J_PASSWORD;
  if (options.password !== undefined) childEnv.NEO4J_PASSWORD = options.password;

  const tail = new OutputTail();
  let child: ChildProcess;
  let stopFollowing = () => {};
  const lineHandlers: Array<(line: string) => void> = [];
  const onLine = (line: string) => {
    tail.push(line);
    for (const handler of lineHandlers) handler(line);
  };

  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, "w");
    try {
      child = spawn(tools.java, args, {
        cwd: home,
        env: childEnv,
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    stopFollowing = followFile(options.logFile, onLine);
  } else {
    args.push("--stop-on-stdin-eof");
    child = spawn(tools.java, args, { cwd: home, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
    const forward = (line: string) => {
      onLine(line);
      options.onOutput?.(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", forward);
    if (child.stderr) createInterface({ input: child.stderr }).on("line", forward);
  }

  const exited = new Promise<Neo4jExit>((resolveExit) => {
    child.once("exit", (code, signal) => {
      // Let the last lines arrive before anyone reads the tail.
      setTimeout(() => {
        stopFollowing();
        resolveExit({ code, signal });
      }, 50);
    });
  });
  const spawnError = new Promise<Error>((resolveError) => child.once("error", resolveError));

  const stop = async (timeoutMs = 60_000): Promise<Neo4jExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      child.kill("SIGKILL");
      await exited;
      throw new Error(
        `Neo4j (pid ${child.pid}) did not stop within ${timeoutMs / 1000} s of SIGTERM and was killed\n${tail}`,
      );
    }
    return outcome;
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  let readyTimer: NodeJS.Timeout | undefined;
  try {
    const uriAndPort = await new Promise<{ uri: string; port: number }>((resolveReady, reject) => {
      lineHandlers.push((line) => {
        const match = READY.exec(line);
        if (match?.[1] && match[2]) resolveReady({ uri: match[1], port: Number(match[2]) });
      });
      readyTimer = setTimeout(
        () => reject(new Error(`no ready line within ${Math.round(readyTimeoutMs / 1000)} s`)),
        readyTimeoutMs,
      );
      void exited.then(({ code, signal }) =>
        reject(new Error(`the JVM exited before it was ready (${signal ?? `exit code ${code}`})`)),
      );
      void spawnError.then((error) =>
        reject(new Error(`cannot run ${tools.java}: ${error.message}`)),
      );
    });
    clearTimeout(readyTimer);
    if (options.logFile) {
      // Detached: from now on the JVM lives on its own.
      stopFollowing();
      child.unref();
    }
    return {
      ...uriAndPort,
      pid: child.pid as number,
      home,
      version: jars.version,
      exited,
      stop,
      outputTail: () => tail.toString(),
    };
  } catch (error) {
    clearTimeout(readyTimer);
    await stop(30_000).catch(() => {});
    stopFollowing();
    const where = options.logFile ? `; output in ${options.logFile}` : "";
    throw new Neo4jStartError(
      `Neo4j ${jars.version} did not start: ${(error as Error).message}${where}; logs in ${join(home, "logs")}\n--- last output of the JVM ---\n${tail.toString() || "(none)"}`,
    );
  }
}
