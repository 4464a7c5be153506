import { spawn } from "node:child_process";
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { writeFileAtomic } from "../../../lib/atomic-file.js";
import { neo4jRuntimeDir } from "./cache.js";
import { pomPath, readCoordinates } from "./coordinates.js";
import { withDirectoryLock } from "./lock.js";

export interface Neo4jJars {
  version: string;
  /** The per-version cache directory (holds lib/, the marker and the compiled launcher). */
  runtimeDir: string;
  libDir: string;
  jarCount: number;
  bytes: number;
  /** true when this call ran Maven; false when the cache was already complete */
  fetched: boolean;
  elapsedMs: number;
}

export interface EnsureJarsOptions {
  /** Cache root (default $XDG_CACHE_HOME/assim or ~/.cache/assim). */
  cacheRoot?: string;
  /** Maven command (default `mvn` on PATH). */
  mvn?: string;
  /** Progress lines; default: stderr. */
  progress?: (line: string) => void;
  /** Give up on Maven after this long (default 20 minutes). */
  timeoutMs?: number;
}

interface CompleteMarker {
  version: string;
  jars: number;
  bytes: number;
  completedAt: string;
}

const MARKER = "complete.json";
const PROGRESS_EVERY_MS = 2_000;

const defaultProgress = (line: string): void => {
  process.stderr.write(`assim: ${line}\n`);
};

function jarStats(libDir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const name of readdirSync(libDir)) {
    if (!name.endsWith(".jar")) continue;
    count++;
    bytes += statSync(join(libDir, name)).size;
  }
  return { count, bytes };
}

/** The marker is written last, so its presence (with the same jar count) means a whole copy. */
function completeCache(runtimeDir: string, version: string): CompleteMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(runtimeDir, MARKER), "utf8")) as CompleteMarker;
    if (marker.version !== version) return undefined;
    const { count } = jarStats(join(runtimeDir, "lib"));
    return count === marker.jars && count > 0 ? marker : undefined;
  } catch {
    return undefined;
  }
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Maven's "(12 kB at 86 kB/s)" suffix, as bytes. */
function downloadedBytes(line: string): number {
  const match = /\((\d+(?:\.\d+)?) (B|kB|MB|GB) at /.exec(line);
  if (!match?.[1]) return 0;
  const scale = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as "B" | "kB" | "MB" | "GB"];
  return Number(match[1]) * scale;
}

/**
 * Runs maven-dependency-plugin copy-dependencies on our pom. Maven's own per-file lines go
 * to mvn.log only; stderr gets one summary line every few seconds.
 */
async function runMaven(
  mvn: string,
  stagingDir: string,
  pluginVersion: string,
  logPath: string,
  progress: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  const args = [
    "-B",
    "-f",
    join(stagingDir, "pom.xml"),
    `org.apache.maven.plugins:maven-dependency-plugin:${pluginVersion}:copy-dependencies`,
    "-DincludeScope=runtime",
    `-DoutputDirectory=${join(stagingDir, "lib")}`,
  ];
  const log = createWriteStream(logPath);
  const child = spawn(mvn, args, { cwd: stagingDir, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  let files = 0;
  let bytes = 0;
  const started = Date.now();
  const onLine = (line: string) => {
    log.write(`${line}\n`);
    if (line.includes("Downloaded from ")) {
      files++;
      bytes += downloadedBytes(line);
    } else if (!line.includes("Downloading from ")) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  createInterface({ input: child.stdout }).on("line", onLine);
  createInterface({ input: child.stderr }).on("line", onLine);
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    progress(`  ... ${files} files, ${megabytes(bytes)} downloaded (${seconds} s)`);
  }, PROGRESS_EVERY_MS);
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  try {
    const { code, signal, error } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      error?: NodeJS.ErrnoException;
    }>((resolve) => {
      child.once("error", (error: NodeJS.ErrnoException) =>
        resolve({ code: null, signal: null, error }),
      );
      child.once("close", (code, signal) => resolve({ code, signal }));
    });
    if (error) {
      throw new Error(
        error.code === "ENOENT"
          ? `Maven (${mvn}) is not installed or not on PATH; install Maven to fetch the Neo4j jars`
          : `cannot run Maven (${mvn}): ${error.message}`,
      );
    }
    if (code !== 0) {
      const why = signal
        ? Date.now() - started >= timeoutMs
          ? `timed out after ${Math.round(timeoutMs / 1000)} s`
          : `killed by ${signal}`
        : `exit code ${code}`;
      throw new Error(
        `Maven failed to fetch the Neo4j jars (${why}); full log: ${logPath}\n${tail.join("\n")}`,
      );
    }
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

/**
 * Makes sure the Neo4j Community jars named by pom.xml are in the cache, fetching them
 * with Maven once. A copy interrupted halfway (no marker) is thrown away and redone.
 */
export async function ensureNeo4jJars(options: EnsureJarsOptions = {}): Promise<Neo4jJars> {
  const started = Date.now();
  const { neo4jVersion, dependencyPluginVersion } = readCoordinates();
  const runtimeDir = neo4jRuntimeDir(neo4jVersion, options.cacheRoot);
  const libDir = join(runtimeDir, "lib");
  const progress = options.progress ?? defaultProgress;
  const result = (marker: CompleteMarker, fetched: boolean): Neo4jJars => ({
    version: neo4jVersion,
    runtimeDir,
    libDir,
    jarCount: marker.jars,
    bytes: marker.bytes,
    fetched,
    elapsedMs: Date.now() - started,
  });

  const cached = completeCache(runtimeDir, neo4jVersion);
  if (cached) return result(cached, false);

  mkdirSync(runtimeDir, { recursive: true });
  return withDirectoryLock(
    `${runtimeDir}.lock`,
    {
      timeoutMs: options.timeoutMs ?? 20 * 60_000,
      onWait: (pid) =>
        progress(`waiting for ${pid ? `pid ${pid}` : "another process"} to fetch Neo4j jars`),
    },
    async () => {
      // Another process may have finished while we waited for the lock.
      const done = completeCache(runtimeDir, neo4jVersion);
      if (done) return result(done, false);

      progress(`fetching Neo4j ${neo4jVersion} jars with Maven into ${libDir} (once)`);
      rmSync(join(runtimeDir, MARKER), { force: true });
      rmSync(libDir, { recursive: true, force: true });
      for (const name of readdirSync(runtimeDir)) {
        if (name.startsWith("staging-")) {
          rmSync(join(runtimeDir, name), { recursive: true, force: true });
        }
      }
      const stagingDir = join(runtimeDir, `staging-${process.pid}`);
      mkdirSync(stagingDir, { recursive: true });
      try {
        copyFileSync(pomPath(), join(stagingDir, "pom.xml"));
        await runMaven(
          options.mvn ?? "mvn",
          stagingDir,
          dependencyPluginVersion,
          join(runtimeDir, "mvn.log"),
          progress,
          options.timeoutMs ?? 20 * 60_000,
        );
        const stagedLib = join(stagingDir, "lib");
        if (!existsSync(stagedLib)) throw new Error(`Maven succeeded but wrote no ${stagedLib}`);
        const { count, bytes } = jarStats(stagedLib);
        if (!existsSync(join(stagedLib, `neo4j-${neo4jVersion}.jar`))) {
          throw new Error(`Maven's copy in ${stagedLib} lacks neo4j-${neo4jVersion}.jar`);
        }
        renameSync(stagedLib, libDir);
        const marker: CompleteMarker = {
          version: neo4jVersion,
          jars: count,
          bytes,
          completedAt: new Date().toISOString(),
        };
        await writeFileAtomic(join(runtimeDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        progress(`Neo4j ${neo4jVersion}: ${count} jars, ${megabytes(bytes)} in ${seconds} s`);
        return result(marker, true);
      } finally {
        rmSync(stagingDir, { recursive: true, force: true });
      }
    },
  );
}

/** Forgets the cached copy (the marker) so that the next ensure fetches again. */
export function forgetNeo4jJars(cacheRoot?: string): void {
  const { neo4jVersion } = readCoordinates();
  rmSync(join(neo4jRuntimeDir(neo4jVersion, cacheRoot), MARKER), { force: true });
}
