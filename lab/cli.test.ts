/**
 * `assim lab` as a command: help with an example everywhere, option mistakes
 * refused by name (exit 2) before anything is created, and a clear word when
 * not run as root. Nothing here creates a namespace.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assimBin, runAssim } from "../test/support/cli.js";

const SUBCOMMANDS = ["up", "down", "status", "kill", "start", "switch", "exec"];

describe("assim lab, the command", () => {
  it("lists its subcommands, and each has --help with an example", () => {
    const group = runAssim(["lab", "--help"]);
    expect(group.status).toBe(0);
    for (const name of SUBCOMMANDS) expect(group.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    for (const name of SUBCOMMANDS) {
      const help = runAssim(["lab", name, "--help"]);
      expect(help.status, name).toBe(0);
      expect(help.stdout, name).toContain("Example:");
      expect(help.stdout, name).toContain(`assim lab ${name}`);
    }
    expect(runAssim(["--help"]).stdout).toMatch(/^\s+lab\b/m);
  });

  it.each([
    [["up", "--hosts", "65"], "--hosts must be a whole number from 1 to 64"],
    [["up", "--hosts", "two"], '--hosts must be a whole number, got "two"'],
    [["up", "--switches", "0"], "--switches must be a whole number from 1 to 8"],
    [["up", "--subnet", "10.1.2.3/24"], "did you mean 10.1.2.0/24"],
    [["up", "--subnet", "10.1.2.0/28"], "prefix length from /8 to /24"],
    [["up", "--name", "no spaces"], "--name must be"],
    [["up", "--interval", "5000"], "--interval < --warn < --dead"],
    [["up", "--discovery-types", "os;rm"], "--discovery-types must be a comma-separated list"],
    [["up", "--bogus"], "unknown option '--bogus'"],
    [["kill", "h1", "--signal", "HUP"], "--signal must be TERM or KILL"],
  ])("refuses %j with exit 2", (args, message) => {
    const result = runAssim(["lab", ...args]);
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
  });

  it.runIf(process.getuid?.() === 0 && existsSync("/usr/bin/setpriv"))(
    "says it needs root when it is not run as root",
    () => {
      for (const args of [["up"], ["down"], ["status"]]) {
        const result = spawnSync(
          "setpriv",
          [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            process.execPath,
            assimBin,
            "lab",
            ...args,
          ],
          { encoding: "utf8", timeout: 30_000 },
        );
        expect(result.stderr).toContain("the lab needs root");
        expect(result.status).toBe(1);
      }
    },
  );
});
