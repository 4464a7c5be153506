import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigFileError, loadConfig } from "./load.js";

describe("loadConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "assim-load-"));

  it("makes relative paths relative to the file's directory, and leaves absolute ones", () => {
    const file = join(dir, "assim.yaml");
    writeFileSync(
      file,
      "data_dir: state\nprobe:\n  cma_key: /etc/assim/cma.pub\n  cma: 10.0.0.1\n",
    );
    expect(loadConfig(file)).toEqual({
      data_dir: join(dir, "state"),
      probe: { cma_key: "/etc/assim/cma.pub", cma: "10.0.0.1" },
    });
  });

  it("checks each heartbeat timer, and leaves their order to the command's merged values", () => {
    const file = join(dir, "heartbeat.yaml");
    writeFileSync(file, "cma:\n  heartbeat:\n    interval: 5s\n    warn: 2s\n");
    expect(loadConfig(file)).toEqual({ cma: { heartbeat: { interval: "5s", warn: "2s" } } });
    writeFileSync(file, "cma:\n  heartbeat:\n    interval: 11m\n");
    expect(() => loadConfig(file)).toThrow(
      `${file}:3:15: cma.heartbeat.interval: 11m is out of range (expected from 1ms to 10m)`,
    );
  });

  it("throws every error line of an invalid file", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "cma:\n  trust: maybe\nup:\n  port: 0\n");
    expect(() => loadConfig(file)).toThrow(ConfigFileError);
    expect(() => loadConfig(file)).toThrow(
      `${file}:2:10: cma.trust: is "maybe" (expected tofu or approve)\n${file}:4:9: up.port: is the number 0 (expected a UDP port from 1 to 65535)`,
    );
  });
});
