/**
 * `assim export --format nagios` end to end through bin/assim.js (needs
 * `npm run build`): the hostile world's objects pass `nagios4 -v`, and each
 * object the format left out is a warning in the summary and in the log.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { assimBin } from "../../test/support/cli.js";
import { checkObjects, HOSTILE, ingestHostileWorld } from "./hostile-world.js";
import { hasNagios4, parseObjects, verifyWithNagios } from "./verify.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-nagios-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("assim export --once --format nagios logs its warnings and writes objects nagios4 accepts", async () => {
  const data = join(scratch, "data");
  const out = join(scratch, "out");
  const store = await openEmbeddedStore({ dataDir: data });
  try {
    await ingestHostileWorld(store);
  } finally {
    await store.close();
  }
  const result = spawnSync(
    process.execPath,
    [assimBin, "export", "--once", "--format", "nagios", "--out", out, "--data-dir", data],
    { encoding: "utf8", env: { ...process.env, NEO4J_URI: "" }, timeout: 120_000 },
  );
  expect(result.stderr).not.toMatch(/"level":"error"|"level":50/);
  expect(result.status).toBe(0);
  const summary = JSON.parse(result.stdout);
  expect(summary.formats).toEqual(["nagios"]);
  expect(summary.warnings).toHaveLength(HOSTILE.length);
  const logged = result.stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  const warnings = logged.filter((l) => l.event === "export_warning");
  expect(warnings).toHaveLength(HOSTILE.length);
  expect(warnings.every((w) => w.format === "nagios" && /left out/.test(w.message))).toBe(true);
  expect(logged.find((l) => l.event === "export_done")).toMatchObject({
    warnings: HOSTILE.length,
  });

  const dir = join(out, "nagios");
  const files = readdirSync(dir).filter((f) => f.endsWith(".cfg"));
  expect(files).toHaveLength(7);
  checkObjects(files.flatMap((f) => parseObjects(readFileSync(join(dir, f), "utf8"))));
  if (hasNagios4()) {
    const check = verifyWithNagios(dir);
    expect([check.warnings, check.errors, check.status], check.output).toEqual([0, 0, 0]);
  }
});
