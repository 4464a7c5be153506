/**
 * kill -9 the CMA while probes send discovery documents, then start it again:
 * every document a probe saw acknowledged is in the graph, the probes carry
 * on, and nobody registers again.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "../cma/graph/embedded/store.js";
import { hostSystemKey } from "../cma/graph/keys.js";
import {
  type CmaStatusFile,
  type Daemon,
  freePort,
  readJson,
  startAssim,
  waitFor,
} from "./support/daemons.js";

const TYPES = ["os", "cpu", "netconfig", "packages"];
const HOSTS = ["c1", "c2", "c3"];
const scratch = mkdtempSync(join(tmpdir(), "assim-cma-crash-"));
const daemons: Daemon[] = [];
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL").catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

const machineId = (host: string) =>
  createHash("sha256").update(`cma-crash/${host}`).digest("hex").slice(0, 32);

describe("a CMA killed mid-discovery", () => {
  it("loses no acknowledged document, and the probes carry on without registering again", async () => {
    const cmaDir = join(scratch, "cma");
    const cmaPort = await freePort();
    const startCma = () => {
      const cma = startAssim("cma", [
        "cma",
        ...["--bind", `127.0.0.1:${cmaPort}`, "--data-dir", cmaDir],
        ...["--interval", "300", "--warn", "1500", "--dead", "5000"],
        ...["--discovery-types", TYPES.join(",")],
      ]);
      daemons.push(cma);
      return cma;
    };
    const status = () => readJson<CmaStatusFile>(join(cmaDir, "cma-status.json"));
    const first = startCma();
    await waitFor("the CMA", status, 30_000);
    const probes = new Map<string, Daemon>();
    for (const host of HOSTS) {
      const probe = startAssim(host, [
        "probe",
        ...["--cma", `127.0.0.1:${cmaPort}`, "--cma-key", join(cmaDir, "keys", "cma.pub")],
        ...["--bind", `127.0.0.1:${await freePort()}`, "--data-dir", join(scratch, host)],
        ...["--machine-id", machineId(host), "--hostname", host],
      ]);
      daemons.push(probe);
      probes.set(host, probe);
    }
    // Registered (and so stored), and the first documents arriving: now kill it.
    await waitFor(
      "registrations stored and a document ingested",
      () =>
        first.lines("probe registered").length === HOSTS.length &&
        first.lines("discovery document stored").length > 0,
      60_000,
      10,
    );
    first.child.kill("SIGKILL");
    await waitFor("the CMA dead", () => !first.running, 5000, 10);
    const storedBeforeKill = first.lines("discovery document stored").length;
    expect(storedBeforeKill).toBeLessThan(HOSTS.length * TYPES.length);

    await sleep(1000); // probes retransmit into the void meanwhile
    const second = startCma();
    await waitFor(
      "every probe's documents acknowledged",
      () =>
        [...probes.values()].every(
          (probe) => probe.lines("discovery document stored by the CMA").length === TYPES.length,
        ),
      120_000,
      200,
    );
    expect(second.lines("CMA started")[0]).toMatchObject({ probes: HOSTS.length });
    expect(second.lines("probe registered")).toEqual([]);
    for (const probe of probes.values()) {
      expect(probe.lines("the CMA does not know this probe: registering again")).toEqual([]);
      expect(probe.running).toBe(true);
    }
    await waitFor(
      "the restarted CMA's rings",
      () => status()?.rings.global?.length === HOSTS.length,
      10_000,
    );
    await second.stop("SIGTERM");
    const store = await openEmbeddedStore({ dataDir: cmaDir });
    try {
      for (const [host, probe] of probes) {
        const acknowledged = probe
          .lines("discovery document stored by the CMA")
          .map((line) => line.type as string)
          .sort();
        expect(acknowledged).toEqual([...TYPES].sort());
        for (const type of acknowledged) {
          const seen = await store.write((tx) =>
            tx.documentSeenAt(hostSystemKey(machineId(host)), type),
          );
          expect(seen, `${host} ${type}`).not.toBeNull();
        }
      }
    } finally {
      await store.close();
    }
  });
});
