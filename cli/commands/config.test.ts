/** `assim config` and `--config FILE` on the daemons, through the built CLI. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runAssim } from "../../test/support/cli.js";

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const NO_DATA = ["--data-dir", "/nonexistent/assim-test"];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "assim-config-"));
});

describe("assim config", () => {
  it("prints an example that passes the check", () => {
    const example = runAssim(["config", "example"]);
    expect(example.status).toBe(0);
    const path = file("example.yaml", example.stdout);
    const check = runAssim(["config", "check", path]);
    expect(check.stderr).toBe("");
    expect(check.stdout).toBe(`${path}: valid\n`);
    expect(check.status).toBe(0);
  });

  it("prints one line per error on stderr and exits 1", () => {
    const path = file("bad.yaml", "cma:\n  bnd: 0.0.0.0\n  heartbeat:\n    warn: 1m\n");
    const result = runAssim(["config", "check", path]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      `${path}:2:3: cma.bnd: unknown key "bnd"; did you mean "bind"?`,
      `${path}:4:11: cma.heartbeat.warn: warn 1m is not shorter than dead 10s (the default) (expected interval < warn < dead)`,
    ]);
  });

  it("reads standard input for -", () => {
    const result = runAssim(["config", "check", "-"], { input: "up:\n  port: 1984\n  apy: x\n" });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('-:3:3: up.apy: unknown key "apy"; did you mean "api"?\n');
  });

  it("exits 1 for a file that does not exist", () => {
    const result = runAssim(["config", "check", join(dir, "none.yaml")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/none\.yaml: cannot read the configuration file: no such file/);
  });

  it("explains itself with an example in --help", () => {
    const result = runAssim(["config", "check", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim config check/);
    expect(result.stdout).toMatch(/\n {2}assim config check \/etc\/assim\/assim\.yaml/);
  });
});

describe("--config FILE", () => {
  it("assim cma exits 2 naming the line of a heartbeat timer out of range", () => {
    const path = file("heartbeat.yaml", "cma:\n  heartbeat:\n    interval: 11m\n");
    const result = runAssim(["cma", "--config", path, ...NO_DATA]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `${path}:3:15: cma.heartbeat.interval: 11m is out of range (expected from 1ms to 10m)`,
    );
  });

  it("assim cma exits 2 naming the timers out of order, the file's with the others", () => {
    const path = file("order.yaml", "cma:\n  heartbeat:\n    interval: 5s\n");
    const result = runAssim(["cma", "--config", path, ...NO_DATA]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `assim: need --interval < --warn < --dead, got --interval 5000 (cma.heartbeat.interval in ${path}), --warn 3000 (the default), --dead 10000 (the default)\n`,
    );
  });

  it("is read from ASSIM_CONFIG too", () => {
    const path = file("env.yaml", "cma:\n  trust: maybe\n");
    const result = runAssim(["cma", ...NO_DATA], {
      env: { ...process.env, ASSIM_CONFIG: path },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${path}:2:10: cma.trust: is "maybe"`);
  });

  it("gives assim probe its required options", () => {
    const path = file("probe.yaml", "probe:\n  cma: 127.0.0.1\n  cma_key: /nonexistent/cma.pub\n");
    const result = runAssim(["probe", "--config", path, ...NO_DATA]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--cma-key: cannot read/);
  });

  it("loses to the command line", () => {
    const path = file("exports.yaml", "cma:\n  exports:\n    every: 5m\n");
    const result = runAssim(["cma", "--config", path, "--export-every", "soon", ...NO_DATA]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--export-every must be a duration .* not "soon"/);
  });

  it.each([["up"], ["export"], ["api"]])(
    "assim %s refuses an invalid file with exit 2",
    (command) => {
      const path = file(`${command}.yaml`, "up:\n  port: 0\n");
      const result = runAssim([command, "--config", path]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${path}:2:9: up.port: is the number 0`);
    },
  );
});
