import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assimBin, cmaRecord, probeRecord } from "./daemons.js";
import type { LabState } from "./state.js";
import { planTopology } from "./topology.js";

describe("the lab's daemon command lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "assim-lab-daemons-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const state = (discoveryTypes: string | null): LabState => ({
    version: 1,
    name: "demo",
    dir,
    phase: "building",
    createdAt: new Date(0).toISOString(),
    topology: planTopology({ name: "demo", hosts: 3, switches: 2, subnet: "10.250.0.0/24" }),
    settings: { enabled: true, intervalMs: 500, warnMs: 1500, deadMs: 4000, discoveryTypes },
    namespaces: [],
    links: [],
    daemons: {},
  });

  it("runs the CMA in its namespace on the core bridge's address, with the lab's timers", () => {
    const record = cmaRecord(state("switch,netconfig"));
    expect(record).toMatchObject({ kind: "cma", ns: "demo-cma", log: join(dir, "cma", "cma.log") });
    expect(record.command).toEqual([
      "netns",
      "exec",
      "demo-cma",
      process.execPath,
      assimBin(),
      "cma",
      "--bind",
      "10.250.0.1:1984",
      "--data-dir",
      join(dir, "cma"),
      "--interval",
      "500",
      "--warn",
      "1500",
      "--dead",
      "4000",
      "--switch-seconds",
      "12",
      "--discovery-types",
      "switch,netconfig",
    ]);
    expect(cmaRecord(state(null)).command).not.toContain("--discovery-types");
  });

  it("runs each probe in its host's namespace, pinned to the CMA's key, as that host", () => {
    const lab = state(null);
    const h2 = lab.topology.hosts[1];
    if (!h2) throw new Error("no h2 in the plan");
    const record = probeRecord(lab, h2);
    expect(record).toMatchObject({
      kind: "probe",
      ns: "demo-h2",
      log: join(dir, "h2", "probe.log"),
    });
    expect(record.command).toEqual([
      "netns",
      "exec",
      "demo-h2",
      "env",
      "ASSIM_SWITCH_INTERFACES=eth0",
      process.execPath,
      assimBin(),
      "probe",
      "--cma",
      "10.250.0.1:1984",
      "--cma-key",
      join(dir, "cma", "keys", "cma.pub"),
      "--bind",
      "10.250.0.12:1984",
      "--data-dir",
      join(dir, "h2"),
      "--machine-id",
      h2.machineId,
      "--hostname",
      "h2",
    ]);
  });
});
