/**
 * Hostile values pushed end to end through ingest, the records, the nagios
 * format and the export run, then through the real `nagios4 -v`: no directive
 * or object of theirs may appear (hostile-world.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LATER } from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { runExport } from "../run.js";
import { checkObjects, HOSTILE, ingestHostileWorld } from "./hostile-world.js";
import { nagiosExporter } from "./nagios.js";
import { hasNagios4, parseObjects, verifyWithNagios } from "./verify.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-nagios-hostile-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("nagios format with hostile values", () => {
  it("injects no directive, command or object, warns about what it leaves out, and passes nagios4 -v", async () => {
    const store = await openEmbeddedStore({ dataDir: join(scratch, "data") });
    await ingestHostileWorld(store);
    const out = join(scratch, "out");
    try {
      const summary = await runExport({
        store,
        outDir: out,
        formats: [nagiosExporter],
        now: () => new Date(LATER),
      });
      const dir = join(out, "nagios");
      const files = readdirSync(dir).filter((f) => f.endsWith(".cfg"));
      const objects = files.flatMap((f) => parseObjects(readFileSync(join(dir, f), "utf8")));
      checkObjects(objects);
      const all = files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
      expect(all).not.toMatch(/^\s*check_command\s+evil/m);
      expect(all).not.toMatch(/^\s*command_name\s+pwned/m);
      expect(all).not.toMatch(/^\s*define\s+command\s*\{\s*\n\s*command_name\s+(?!assim_)/m);
      expect(all).not.toMatch(/^\s*address\s+6\.6\.6\.6/m);
      // Handlebars takes values as data: a hostname's {{evil}} is just text.
      expect(all).toContain("{{evil}}");

      // Every hostile host is there, under a safe unique name, its alias escaped.
      const hosts = objects.filter((o) => o.type === "host" && o.directives[0]?.[0] !== "name");
      // The fixture hosts, the switch (the hostile document renames sw1) and the hostile hosts.
      expect(hosts).toHaveLength(3 + 1 + HOSTILE.length);
      const names = hosts.map((h) => Object.fromEntries(h.directives).host_name as string);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

      // The nagios checks with a hostile port or plugin are left out, each with a warning.
      const messages = summary.warnings.map((w) => w.message);
      expect(summary.warnings.every((w) => w.format === "nagios")).toBe(true);
      expect(messages.filter((m) => /left out: unsafe/.test(m))).toHaveLength(HOSTILE.length);
      const checks = objects
        .filter((o) => o.type === "service")
        .map((o) => Object.fromEntries(o.directives).check_command);
      expect(checks.filter((c) => c?.startsWith("assim_check_http!"))).toHaveLength(HOSTILE.length);
      // The probe's own checks keep a hostile rule name as a safe description.
      expect(checks.filter((c) => c === "assim_passive").length).toBeGreaterThan(
        HOSTILE.length * 2,
      );

      if (hasNagios4()) {
        const result = verifyWithNagios(dir);
        expect(result.output).toContain("Total Warnings: 0");
        expect([result.warnings, result.errors, result.status]).toEqual([0, 0, 0]);
      }
    } finally {
      await store.close();
    }
  });
});
