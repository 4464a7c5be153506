import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Exporter, ExporterRegistry, UnknownFormatError } from "./exporter.js";
import { defaultExporters } from "./formats.js";
import { ExportLockedError, lockOutput } from "./lock.js";

const format = (name: string): Exporter => ({ name, description: name, render: () => ({}) });

describe("ExporterRegistry", () => {
  it("resolves a comma-separated list, each format once, in the order given", () => {
    const registry = new ExporterRegistry([format("json"), format("itil"), format("nagios")]);
    expect(registry.names()).toEqual(["itil", "json", "nagios"]);
    expect(registry.resolve("nagios, json,nagios").map((e) => e.name)).toEqual(["nagios", "json"]);
  });

  it("names the valid formats when one is unknown", () => {
    const registry = new ExporterRegistry([format("json"), format("itil")]);
    expect(() => registry.resolve("json,csv")).toThrow(UnknownFormatError);
    expect(() => registry.resolve("json,csv")).toThrow(
      'unknown export format "csv"; valid formats: itil, json',
    );
    expect(() => registry.resolve(" , ")).toThrow(/valid formats: itil, json/);
  });

  it("refuses a name twice and names that cannot be a directory", () => {
    const registry = new ExporterRegistry([format("json")]);
    expect(() => registry.register(format("json"))).toThrow(/registered twice/);
    for (const name of ["", "../x", "a/b", ".state", "JSON"]) {
      expect(() => registry.register(format(name))).toThrow(/must match/);
    }
  });

  it("the default registry has the json format", () => {
    expect(defaultExporters().names()).toContain("json");
  });
});

describe("lockOutput", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-export-lock-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("lets one export at a time write a directory, and takes over a lock whose process is gone", async () => {
    const out = join(scratch, "out");
    const release = await lockOutput(out);
    // Held by a live process other than this one (init).
    writeFileSync(join(out, ".state", "lock"), "1\n");
    await expect(lockOutput(out)).rejects.toThrow(ExportLockedError);
    // Held by a process that no longer exists.
    writeFileSync(join(out, ".state", "lock"), "999999999\n");
    const again = await lockOutput(out);
    await again();
    await release();
    mkdirSync(join(scratch, "other"));
    await (await lockOutput(join(scratch, "other")))();
  });
});
