import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../protocol/discovery-document.js";
import { runAssim } from "./support/cli.js";

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

  it("rejects an unknown command on stderr as a usage mistake (exit 2)", () => {
    const result = runAssim(["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it.each([
    [["up", "--bogus"], "unknown option '--bogus'"],
    [["probe"], "required option '--cma <address>'"],
    [["switch", "decode"], "missing required argument 'file'"],
    [["export", "--once", "--format"], "argument missing"],
  ])("exits 2 on a command line it cannot parse: %j", (args, message) => {
    const result = runAssim(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
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
});
