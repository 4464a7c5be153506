/** `assim cma` and `assim probe` refuse bad options by name, before opening any socket. */
import { describe, expect, it } from "vitest";
import { runAssim } from "./support/cli.js";

describe("assim cma and assim probe options", () => {
  it.each([["cma"], ["probe"]])("assim %s --help prints usage and an example", (command) => {
    const result = runAssim([command, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: assim ${command}`));
    expect(result.stdout).toMatch(new RegExp(`\\n  assim ${command} --`));
  });

  it.each([
    [["--bind", "nowhere"], /--bind: "nowhere" is not an IP address/],
    [["--trust", "maybe"], /--trust must be tofu or approve/],
    [["--interval", "5000", "--warn", "3000"], /need --interval < --warn < --dead/],
    [["--dead", "0"], /--dead must be a whole number/],
    [["--webhook", "ftp://127.0.0.1/x"], /--webhook must be an http\(s\) URL/],
    [["--discovery-types", "os,teleport"], /unknown type "teleport"/],
    [["--bind", "127.0.0.1:1984", "--multicast"], /--multicast needs --bind 0\.0\.0\.0/],
    [["--bind", "0.0.0.0:1984", "--multicast", "eth0"], /--multicast: "eth0" is not an IPv4/],
    [["--export-every", "soon"], /--export-every must be a duration/],
    [["--export-every", "1m", "--export-format", "json,excel"], /excel/],
    [["--export-out", "/tmp/x"], /--export-out and --export-format go with --export-every/],
  ])("assim cma %j exits 2 naming the option", (args, message) => {
    const result = runAssim(["cma", ...args, "--data-dir", "/nonexistent/assim-test"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    [["--cma", "127.0.0.1", "--cma-key", "/nonexistent/cma.pub"], /--cma-key: cannot read/],
    [["--cma", "here", "--cma-key", "/nonexistent/cma.pub"], /--cma: "here" is not an IP/],
    [
      ["--cma", "127.0.0.1", "--cma-key", "/nonexistent/cma.pub", "--machine-id", "xyz"],
      /--machine-id/,
    ],
  ])("assim probe %j exits 2 naming the option", (args, message) => {
    const result = runAssim(["probe", ...args, "--data-dir", "/nonexistent/assim-test"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("assim probe without --cma says which option is missing", () => {
    const result = runAssim(["probe"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/required option '--cma <address>'/);
  });
});
