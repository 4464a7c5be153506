import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandError, findOnPath, runCommand } from "./run-command.js";

describe("runCommand", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-run-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("returns the output of a program, run without a shell", async () => {
    const { stdout } = await runCommand("printf", ["%s|", "a b", "$(id)"]);
    expect(stdout).toBe("a b|$(id)|");
  });

  it("rejects a program that is not installed, marked as such", async () => {
    const failure = await runCommand("assim-no-such-program", []).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CommandError);
    expect((failure as CommandError).notInstalled).toBe(true);
    expect((failure as CommandError).message).toBe("assim-no-such-program: not installed");
  });

  it("rejects a failing program with its exit code and first stderr line", async () => {
    const failure = (await runCommand("sh", ["-c", "echo oops >&2; echo more >&2; exit 3"]).catch(
      (e: unknown) => e,
    )) as CommandError;
    expect(failure.notInstalled).toBe(false);
    expect(failure.message).toBe("sh -c echo oops >&2; echo more >&2; exit 3: exited with 3: oops");
  });

  it("finds executables on PATH, and only executable files", () => {
    const tool = join(scratch, "tool");
    writeFileSync(tool, "#!/bin/sh\n");
    const path = ["/nonexistent-dir", scratch].join(":");
    expect(findOnPath("tool", path)).toBeUndefined();
    chmodSync(tool, 0o755);
    expect(findOnPath("tool", path)).toBe(tool);
    expect(findOnPath(tool, "")).toBe(tool);
    expect(findOnPath("tool", "/nonexistent-dir")).toBeUndefined();
    expect(findOnPath(".", scratch)).toBeUndefined();
  });
});
