import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { neo4jRequired } from "../../../test/support/neo4j.js";
import { assimCacheRoot, neo4jRuntimeDir } from "./cache.js";
import { readCoordinates } from "./coordinates.js";
import { ensureNeo4jJars } from "./jars.js";
import { parseJavaMajor } from "./java.js";
import { withDirectoryLock } from "./lock.js";

const mavenMissing = spawnSync("mvn", ["-v"], { stdio: "ignore" }).status !== 0;
const mavenSkip = mavenMissing && !neo4jRequired ? "Maven (mvn) is not installed" : "";
if (mavenSkip) console.warn(`jar fetch tests skipped: ${mavenSkip}`);

const { neo4jVersion } = readCoordinates();

describe("pinned coordinates", () => {
  it("reads both versions from the project's pom.xml", () => {
    const { neo4jVersion, dependencyPluginVersion } = readCoordinates();
    expect(neo4jVersion).toMatch(/^5\.26\.\d+$/);
    expect(dependencyPluginVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("names the property that is missing", () => {
    expect(() => readCoordinates("<project><properties></properties></project>")).toThrow(
      "pom.xml has no <neo4j.version> property",
    );
  });

  it("refuses a value that is not a version (it ends up in a path and a command line)", () => {
    const pom =
      "<properties><neo4j.version>../../etc</neo4j.version><dependency-plugin.version>3.11.0</dependency-plugin.version></properties>";
    expect(() => readCoordinates(pom)).toThrow('<neo4j.version> is not a version: "../../etc"');
  });
});

describe("java -version parsing", () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "25.0.1" 2025-10-21', 25],
  ])("%s → %i", (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });

  it("returns undefined for output without a version", () => {
    expect(parseJavaMajor("bash: java: command not found")).toBeUndefined();
  });
});

describe("cache location", () => {
  it("uses an absolute XDG_CACHE_HOME and ignores a relative one", () => {
    expect(assimCacheRoot({ XDG_CACHE_HOME: "/var/cache/me" })).toBe("/var/cache/me/assim");
    expect(assimCacheRoot({ XDG_CACHE_HOME: "relative/dir" })).toMatch(/\/\.cache\/assim$/);
    expect(neo4jRuntimeDir("5.26.30", "/c")).toBe("/c/neo4j-5.26.30");
  });
});

describe("directory lock", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-lock-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("takes over a lock whose owner has died", async () => {
    const lock = join(scratch, "dead.lock");
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(gone));
    const ran = await withDirectoryLock(lock, { timeoutMs: 5_000 }, async () => "ran");
    expect(ran).toBe("ran");
    expect(existsSync(lock)).toBe(false);
  });

  it("waits for a live owner and gives up after the timeout, naming it", async () => {
    const lock = join(scratch, "live.lock");
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    const waitedFor: Array<number | undefined> = [];
    await expect(
      withDirectoryLock(lock, { timeoutMs: 1_000, onWait: (pid) => waitedFor.push(pid) }, () =>
        Promise.resolve("never"),
      ),
    ).rejects.toThrow(`held by pid ${process.pid}`);
    expect(waitedFor).toEqual([process.pid]);
    expect(existsSync(lock)).toBe(true); // not ours to remove
  });

  it("releases the lock when the work fails", async () => {
    const lock = join(scratch, "fail.lock");
    await expect(
      withDirectoryLock(lock, { timeoutMs: 1_000 }, () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(existsSync(lock)).toBe(false);
  });
});

describe.skipIf(mavenSkip !== "")("fetching the jars with Maven", () => {
  const cacheRoot = mkdtempSync(join(tmpdir(), "assim-jars-"));
  const runtimeDir = neo4jRuntimeDir(neo4jVersion, cacheRoot);
  const libDir = join(runtimeDir, "lib");
  afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

  it("redoes a half-finished copy (no marker) and writes the marker last", async () => {
    mkdirSync(libDir, { recursive: true });
    writeFileSync(join(libDir, "left-over-from-a-killed-fetch.jar"), "partial");
    mkdirSync(join(runtimeDir, "staging-999999"));
    const lines: string[] = [];
    const jars = await ensureNeo4jJars({ cacheRoot, progress: (line) => lines.push(line) });

    expect(jars.fetched).toBe(true);
    expect(jars.libDir).toBe(libDir);
    const names = readdirSync(libDir);
    expect(names).not.toContain("left-over-from-a-killed-fetch.jar");
    expect(names).toContain(`neo4j-${neo4jVersion}.jar`);
    expect(names).toContain(`neo4j-bolt-${neo4jVersion}.jar`);
    expect(names.filter((n) => n.endsWith(".jar"))).toHaveLength(jars.jarCount);
    expect(jars.jarCount).toBeGreaterThan(100);
    // Every Neo4j artifact on one version.
    const neo4jJars = names.filter((n) => /^neo4j-[a-z-]+-\d/.test(n) && n.includes("5.26."));
    for (const name of neo4jJars) expect(name).toContain(neo4jVersion);
    const marker = JSON.parse(readFileSync(join(runtimeDir, "complete.json"), "utf8"));
    expect(marker).toMatchObject({ version: neo4jVersion, jars: jars.jarCount });
    expect(readdirSync(runtimeDir).filter((n) => n.startsWith("staging-"))).toEqual([]);
    expect(lines[0]).toContain(`fetching Neo4j ${neo4jVersion} jars with Maven`);
    expect(lines.at(-1)).toContain(`${jars.jarCount} jars`);
  }, 600_000);

  it("uses the complete cache without running Maven again", async () => {
    const again = await ensureNeo4jJars({ cacheRoot, mvn: "/nonexistent/mvn", progress: () => {} });
    expect(again.fetched).toBe(false);
    expect(again.jarCount).toBe(readdirSync(libDir).length);
  });

  it("fetches again when a jar has gone missing from a 'complete' cache", async () => {
    rmSync(join(libDir, `neo4j-bolt-${neo4jVersion}.jar`));
    const repaired = await ensureNeo4jJars({ cacheRoot, progress: () => {} });
    expect(repaired.fetched).toBe(true);
    expect(existsSync(join(libDir, `neo4j-bolt-${neo4jVersion}.jar`))).toBe(true);
  }, 600_000);

  it("lets only one of two concurrent callers run Maven", async () => {
    rmSync(join(runtimeDir, "complete.json"));
    const [a, b] = await Promise.all([
      ensureNeo4jJars({ cacheRoot, progress: () => {} }),
      ensureNeo4jJars({ cacheRoot, progress: () => {} }),
    ]);
    expect([a.fetched, b.fetched].sort()).toEqual([false, true]);
    expect(a.jarCount).toBe(b.jarCount);
  }, 600_000);

  it("reports a real Maven failure with Maven's own error and leaves no marker", async () => {
    // Real Maven, offline with an empty local repository: resolution must fail.
    const failingRoot = mkdtempSync(join(tmpdir(), "assim-jars-fail-"));
    const wrapper = join(failingRoot, "mvn-offline");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec mvn -o -Dmaven.repo.local=${join(failingRoot, "empty-repo")} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    try {
      await expect(
        ensureNeo4jJars({ cacheRoot: failingRoot, mvn: wrapper, progress: () => {} }),
      ).rejects.toThrow(/Maven failed to fetch the Neo4j jars \(exit code 1\)[\s\S]*\[ERROR\]/);
      const failedDir = neo4jRuntimeDir(neo4jVersion, failingRoot);
      expect(existsSync(join(failedDir, "complete.json"))).toBe(false);
      expect(existsSync(join(failedDir, "lib"))).toBe(false);
      expect(readFileSync(join(failedDir, "mvn.log"), "utf8")).toContain("BUILD FAILURE");
    } finally {
      rmSync(failingRoot, { recursive: true, force: true });
    }
  }, 600_000);

  it("says Maven is missing when the command does not exist", async () => {
    const emptyRoot = mkdtempSync(join(tmpdir(), "assim-jars-nomvn-"));
    try {
      await expect(
        ensureNeo4jJars({ cacheRoot: emptyRoot, mvn: "/nonexistent/mvn", progress: () => {} }),
      ).rejects.toThrow("Maven (/nonexistent/mvn) is not installed or not on PATH");
    } finally {
      rmSync(emptyRoot, { recursive: true, force: true });
    }
  });
});
