/**
 * `assim cma` and `assim probe` refuse bad options by name, before opening
 * any socket; they name a --bind (and `assim cma` a --metrics) address they
 * cannot use.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateKeyPair } from "../protocol/crypto/keys.js";
import { assimBin, runAssim } from "./support/cli.js";
import { freePort } from "./support/daemons.js";

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

  it("assim cma with its --metrics address in use exits 2 naming it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assim-cma-metrics-"));
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const args = ["--bind", `127.0.0.1:${await freePort()}`, "--metrics", `127.0.0.1:${port}`];
      const busy = spawnSync(process.execPath, [assimBin, "cma", ...args, "--data-dir", dataDir], {
        encoding: "utf8",
        env: { ...process.env, NEO4J_URI: "" },
        timeout: 60_000,
      });
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain(
        `cannot serve metrics on 127.0.0.1 port ${port}: it is already in use`,
      );
      expect(busy.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
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

  /** Runs `assim ARGS` with a UDP socket holding 127.0.0.1:PORT, ARGS made from PORT and a scratch directory. */
  async function withUdpPortTaken(
    args: (port: number, dir: string) => string[],
  ): Promise<{ port: number; result: SpawnSyncReturns<string> }> {
    const dir = mkdtempSync(join(tmpdir(), "assim-bind-"));
    const holder = createSocket("udp4");
    await new Promise<void>((resolve) => holder.bind(0, "127.0.0.1", resolve));
    const { port } = holder.address();
    try {
      const result = spawnSync(process.execPath, [assimBin, ...args(port, dir)], {
        encoding: "utf8",
        env: { ...process.env, NEO4J_URI: "" },
        timeout: 60_000,
      });
      return { port, result };
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("assim cma with its --bind address in use exits 2 naming it", async () => {
    const { port, result } = await withUdpPortTaken((port, dir) => [
      "cma",
      "--bind",
      `127.0.0.1:${port}`,
      "--data-dir",
      dir,
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `assim: --bind: cannot bind UDP 127.0.0.1 port ${port}: it is already in use\n`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("assim probe with its --bind address in use exits 2 naming it", async () => {
    const { port, result } = await withUdpPortTaken((port, dir) => {
      const cmaKey = join(dir, "cma.pub");
      writeFileSync(cmaKey, `${generateKeyPair().publicKey}\n`);
      return [
        "probe",
        "--cma",
        `127.0.0.1:${port}`,
        "--cma-key",
        cmaKey,
        "--bind",
        `127.0.0.1:${port}`,
        "--data-dir",
        join(dir, "data"),
        "--machine-id",
        "0123456789abcdef0123456789abcdef",
        "--hostname",
        "bind-test",
      ];
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `assim: --bind: cannot bind UDP 127.0.0.1 port ${port}: it is already in use\n`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
