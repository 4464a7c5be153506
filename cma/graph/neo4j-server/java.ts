import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { launcherSourcePath } from "./coordinates.js";

const execFileAsync = promisify(execFile);

/** Neo4j 5.26 runs on Java 17 and 21 only. */
export const SUPPORTED_JAVA = [17, 21];

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface JavaTools {
  java: string;
  javac: string;
  major: number;
}

/**
 * The JDK to run Neo4j with: $JAVA_HOME if set, else `java` on PATH. javac is taken from
 * the same JDK (Debian's /usr/bin/java is a chain of symlinks into one).
 */
export function locateJava(env: NodeJS.ProcessEnv = process.env): { java: string; javac: string } {
  const home = env.JAVA_HOME?.trim();
  if (home) {
    const java = join(home, "bin", "java");
    if (!existsSync(java)) throw new Error(`JAVA_HOME=${home} has no bin/java`);
    return { java, javac: join(home, "bin", "javac") };
  }
  const java = onPath("java", env);
  if (!java) {
    throw new Error("Java is not installed (no `java` on PATH, no JAVA_HOME); Neo4j needs Java 17");
  }
  const sibling = join(dirname(realpathSync(java)), "javac");
  return { java, javac: existsSync(sibling) ? sibling : (onPath("javac", env) ?? "javac") };
}

/** Parses the major version from `java -version` output ("17.0.15", or "1.8.0_392" → 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<JavaTools> {
  const { java, javac } = locateJava(env);
  let output: string;
  try {
    const { stderr, stdout } = await execFileAsync(java, ["-version"], { timeout: 30_000 });
    output = `${stderr}${stdout}`;
  } catch (error) {
    throw new Error(`cannot run ${java} -version: ${(error as Error).message}`);
  }
  const major = parseJavaMajor(output);
  if (major === undefined) throw new Error(`cannot read the version of ${java}: ${output.trim()}`);
  if (!SUPPORTED_JAVA.includes(major)) {
    throw new Error(
      `Neo4j 5.26 needs Java ${SUPPORTED_JAVA.join(" or ")}, but ${java} is Java ${major}; point JAVA_HOME at a Java 17 JDK`,
    );
  }
  return { java, javac, major };
}

/**
 * Compiles Launcher.java against the jars once, into a directory named by the source's
 * hash, so starts skip the compile and an edited launcher is recompiled.
 */
export async function ensureLauncherCompiled(
  tools: JavaTools,
  runtimeDir: string,
  libDir: string,
): Promise<string> {
  const source = launcherSourcePath();
  const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  const classesDir = join(runtimeDir, `launcher-${digest}-java${tools.major}`);
  if (existsSync(join(classesDir, "Launcher.class"))) return classesDir;

  const staging = `${classesDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await execFileAsync(
      tools.javac,
      ["-nowarn", "-encoding", "UTF-8", "-cp", join(libDir, "*"), "-d", staging, source],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === "ENOENT") {
      throw new Error(
        `javac (${tools.javac}) is missing: the launcher needs a JDK, not only a JRE`,
      );
    }
    throw new Error(`cannot compile ${source}:\n${stderr ?? (error as Error).message}`);
  }
  try {
    await rename(staging, classesDir);
  } catch (error) {
    // Another process compiled the same source meanwhile; theirs is as good as ours.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(classesDir, "Launcher.class"))) throw error;
  }
  return classesDir;
}
