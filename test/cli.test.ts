import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../protocol/discovery-document.js";
import { assimBin, runAssim } from "./support/cli.js";

const ALL_TYPES = [
  "os",
  "cpu",
  "netconfig",
  "arpcache",
  "tcpdiscovery",
  "packages",
  "monitoringagents",
];

describe("assim CLI", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-cli-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([[[]], [["discover"]], [["up"]]])("%j --help prints usage and exits 0", (args) => {
    const result = runAssim([...args, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim/);
  });

  it("rejects an unknown command on stderr with a non-zero exit", () => {
    const result = runAssim(["frobnicate"]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it("rejects an unknown discovery type, listing the valid ones, and prints no document", () => {
    const result = runAssim(["discover", "os", "nosuchtype"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown discovery type: nosuchtype");
    for (const type of ALL_TYPES) expect(result.stderr).toContain(type);
  });

  it("prints one valid document per line, for every type, when none is named", () => {
    const result = runAssim(["discover"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(ALL_TYPES.length);
    const documents = lines.map((line) => JSON.parse(line) as unknown);
    for (const document of documents) assertValidDiscoveryDocument(document);
    expect(documents.map((d) => (d as { discovertype: string }).discovertype)).toEqual(ALL_TYPES);
  });

  it("prints only the named types, once each, and --pretty output parses", () => {
    const result = runAssim(["discover", "cpu", "os", "cpu", "--pretty"]);
    expect(result.status).toBe(0);
    const blocks = result.stdout.trim().split("\n\n");
    expect(blocks.map((b) => (JSON.parse(b) as { discovertype: string }).discovertype)).toEqual([
      "cpu",
      "os",
    ]);
  });

  it("up writes every document under OUT/discovery and reports each type", () => {
    const out = join(scratch, "out");
    const result = runAssim(["up", "--out", out]);
    expect(result.status).toBe(0);
    expect(readdirSync(join(out, "discovery")).sort()).toEqual(
      ALL_TYPES.map((t) => `${t}.json`).sort(),
    );
    for (const type of ALL_TYPES) {
      const document = JSON.parse(readFileSync(join(out, "discovery", `${type}.json`), "utf8"));
      assertValidDiscoveryDocument(document);
      expect(document.discovertype).toBe(type);
      expect(result.stderr).toMatch(new RegExp(`${type}\\s+written`));
    }
  });

  it("up --interval rewrites only what changed, and stops cleanly on SIGTERM", async () => {
    const out = join(scratch, "watch");
    const child = spawn(process.execPath, [assimBin, "up", "--out", out, "--interval", "1"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const passes = () => stderr.match(/^assim up: \d+ document\(s\) written/gm)?.length ?? 0;
    const deadline = Date.now() + 90_000;
    let osWrittenAt = 0;
    while (passes() < 2 && Date.now() < deadline && child.exitCode === null) {
      if (passes() === 1 && osWrittenAt === 0) {
        osWrittenAt = statSync(join(out, "discovery", "os.json")).mtimeMs;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(passes()).toBeGreaterThanOrEqual(2);
    const secondPass = stderr.split(/^assim up: discovering/m)[2] ?? "";
    expect(secondPass).toMatch(/\bos\s+unchanged/);
    expect(secondPass).toMatch(/\bcpu\s+unchanged/);
    expect(statSync(join(out, "discovery", "os.json")).mtimeMs).toBe(osWrittenAt);
  });

  it("up rejects a bad --interval", () => {
    const result = runAssim(["up", "--interval", "soon", "--out", join(scratch, "x")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--interval");
  });
});
