/** `assim cma` up to the start of the CMA: what it makes of its options and a --config file. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../main.js";

const dir = mkdtempSync(join(tmpdir(), "assim-cma-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/**
 * The UsageError `assim cma ARGS` stops with. A bad --webhook is checked after
 * the heartbeat timers and before anything starts: it is the error when the
 * timers passed.
 */
async function refusal(args: string[]): Promise<string> {
  const program = buildProgram();
  try {
    await program.parseAsync(["cma", ...args, "--webhook", "ftp://x/"], { from: "user" });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("assim cma started");
}
const TIMERS_PASSED = '--webhook must be an http(s) URL, got "ftp://x/"';

describe("assim cma heartbeat timers", () => {
  it("takes a file's timers with the command line's, in order together", async () => {
    const path = file("interval.yaml", "cma:\n  heartbeat:\n    interval: 5s\n");
    expect(await refusal(["--config", path, "--warn", "20000", "--dead", "60000"])).toBe(
      TIMERS_PASSED,
    );
    const warn = file("warn.yaml", "cma:\n  heartbeat:\n    warn: 500ms\n");
    expect(await refusal(["--config", warn, "--interval", "100"])).toBe(TIMERS_PASSED);
  });

  it("refuses merged timers out of order, naming each value and where it came from", async () => {
    const path = file("order.yaml", "cma:\n  heartbeat:\n    interval: 5s\n");
    expect(await refusal(["--config", path])).toBe(
      `need --interval < --warn < --dead, got --interval 5000 (cma.heartbeat.interval in ${path}), --warn 3000 (the default), --dead 10000 (the default)`,
    );
    const both = file("both.yaml", "cma:\n  heartbeat:\n    interval: 5s\n    warn: 20s\n");
    expect(await refusal(["--config", both, "--interval", "30000"])).toBe(
      `need --interval < --warn < --dead, got --interval 30000, --warn 20000 (cma.heartbeat.warn in ${both}), --dead 10000 (the default)`,
    );
    expect(await refusal(["--warn", "900"])).toBe(
      "need --interval < --warn < --dead, got --interval 1000 (the default), --warn 900, --dead 10000 (the default)",
    );
  });
});

describe("assim cma monitoring", () => {
  /** The monitoring option assim cma ends up with, after its --config. */
  async function monitoring(args: string[]): Promise<unknown> {
    const program = buildProgram();
    const refused = await program
      .parseAsync(["cma", ...args, "--webhook", "ftp://x/"], { from: "user" })
      .then(
        () => "started",
        (error: Error) => error.message,
      );
    // It got as far as the --webhook check: every option was taken, the file applied.
    expect(refused).toBe(TIMERS_PASSED);
    return program.commands.find((c) => c.name() === "cma")?.opts().monitoring;
  }

  it("is on by default, off with --no-monitoring or the file's enabled: false, and --monitoring wins over the file", async () => {
    const off = file("monitoring-off.yaml", "cma:\n  monitoring:\n    enabled: false\n");
    expect(await monitoring([])).toBe(true);
    expect(await monitoring(["--no-monitoring"])).toBe(false);
    expect(await monitoring(["--config", off])).toBe(false);
    expect(await monitoring(["--config", off, "--monitoring"])).toBe(true);
  });
});
