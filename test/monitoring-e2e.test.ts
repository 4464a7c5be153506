/**
 * Auto-monitoring end to end on loopback: a real `assim cma` with an operator
 * rule and a real `assim probe` that discovers this host. The CMA turns the
 * discovered listener into a monitor (Nagios check_tcp), the probe runs it,
 * and the state changes come back: ok, critical within one interval of the
 * service stopping, ok again once it is back. A second listener that no rule
 * covers is what the unmonitored query lists.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { readHistory } from "../cma/graph/monitors.js";
import { openConfiguredStore } from "../cma/graph/open.js";
import { type Daemon, freePort, readEvents, startAssim, waitFor } from "./support/daemons.js";

const CHECK_TCP = "/usr/lib/nagios/plugins/check_tcp";
const skip = existsSync(CHECK_TCP)
  ? false
  : `${CHECK_TCP} is missing (Debian monitoring-plugins; .ci/run installs it)`;
if (skip) console.warn(`monitoring-e2e skipped: ${skip}`);

const token = randomBytes(4).toString("hex");
const scratch = mkdtempSync(join(tmpdir(), "assim-monitoring-"));
const cmaDir = join(scratch, "cma");
const rulesDir = join(scratch, "rules");
const hostname = `mon-${token}`;
const machineId = randomBytes(16).toString("hex");
const daemons: Daemon[] = [];
const services: ChildProcess[] = [];

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL").catch(() => undefined);
  for (const service of services) service.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

/** A TCP listener on loopback whose argv carries a marker the rule (or no rule) matches. */
async function startListener(marker: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      "const s=require('net').createServer(c=>c.end());s.listen(+process.argv[1],'127.0.0.1',()=>console.log('up'))",
      String(port),
      marker,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  services.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`listener exited with ${code}`)));
  });
  return child;
}

async function stopListener(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

interface ServiceEvent {
  type: string;
  severity: string;
  system: string;
  reason: string;
  details: { rule: string; state: string; previous: string | null };
}
const serviceEvents = () =>
  (readEvents(cmaDir) as unknown as ServiceEvent[]).filter((e) => e.type === "service_state");

describe.skipIf(skip)("auto-monitoring: a discovered service gets a monitor", () => {
  let monitoredPort = 0;
  let monitored: ChildProcess;

  it("sets up check_tcp for the discovered listener and records it ok", async () => {
    monitoredPort = await freePort();
    monitored = await startListener(`assim-e2e-service-${token}`, monitoredPort);
    await startListener(`assim-e2e-unmonitored-${token}`, await freePort());
    mkdirSync(rulesDir);
    writeFileSync(
      join(rulesDir, "test.yaml"),
      [
        "rules:",
        "  - name: e2e-service",
        "    match:",
        '      basename: "^node"',
        `      argv: "assim-e2e-service-${token}"`,
        "    agent:",
        "      class: nagios",
        "      type: check_tcp",
        "      interval_seconds: 1",
        "      timeout_seconds: 5",
        "      params:",
        '        H: "{{ip}}"',
        '        p: "{{port}}"',
        "",
      ].join("\n"),
    );
    const cmaPort = await freePort();
    daemons.push(
      startAssim("cma", [
        "cma",
        ...["--bind", `127.0.0.1:${cmaPort}`, "--data-dir", cmaDir, "--rules-dir", rulesDir],
        ...["--discovery-types", "tcpdiscovery,packages,monitoringagents"],
        ...["--discovery-interval", "3600"],
      ]),
    );
    await waitFor("the CMA's key", () => existsSync(join(cmaDir, "keys", "cma.pub")), 30_000);
    daemons.push(
      startAssim(hostname, [
        "probe",
        ...["--cma", `127.0.0.1:${cmaPort}`, "--cma-key", join(cmaDir, "keys", "cma.pub")],
        ...["--bind", `127.0.0.1:${await freePort()}`, "--data-dir", join(scratch, "probe")],
        ...["--machine-id", machineId, "--hostname", hostname],
      ]),
    );
    const ok = await waitFor(
      "service_state ok for the e2e service",
      () =>
        serviceEvents().find((e) => e.details.rule === "e2e-service" && e.details.state === "ok"),
      90_000,
      200,
    );
    expect(ok).toMatchObject({ system: `host:${machineId}`, severity: "info" });
    expect(ok.details.previous).toBe("pending");
  });

  it("reports the stopped service critical within one interval, and ok once it is back", async () => {
    const stoppedAt = Date.now();
    await stopListener(monitored);
    const critical = await waitFor(
      "service_state critical",
      () => serviceEvents().find((e) => e.details.state === "critical"),
      15_000,
      100,
    );
    // One interval (1 s) plus the check, the report and the store write.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(critical).toMatchObject({ severity: "critical" });
    expect(critical.reason).toMatch(/^e2e-service: ok → critical: .*refused/i);

    monitored = await startListener(`assim-e2e-service-${token}`, monitoredPort);
    await waitFor(
      "service_state ok again",
      () => serviceEvents().filter((e) => e.details.state === "ok").length >= 2,
      15_000,
      100,
    );
    expect(serviceEvents().map((e) => `${e.details.previous}→${e.details.state}`)).toEqual([
      "pending→ok",
      "ok→critical",
      "critical→ok",
    ]);
  });

  it("keeps the monitor, its state and history in the graph; the other listener is unmonitored", async () => {
    for (const daemon of daemons) await daemon.stop("SIGTERM");
    const store = await openConfiguredStore({ dataDir: cmaDir, env: {} });
    try {
      const snapshot = await store.snapshot();
      const monitor = snapshot.nodes.find(
        (n) => n.label === "Monitor" && n.props.rule === "e2e-service" && n.gone_since === null,
      );
      expect(monitor?.props).toMatchObject({
        class: "nagios",
        type: "check_tcp",
        state: "ok",
        params: ["H=127.0.0.1", `p=${monitoredPort}`],
        interval_ms: 1000,
      });
      expect(readHistory(monitor?.props.history).map((t) => t.to)).toEqual([
        "ok",
        "critical",
        "ok",
      ]);
      const watched = snapshot.relationships.find(
        (r) => r.type === "MONITORED_BY" && r.to.key === monitor?.key && r.gone_since === null,
      );
      const process = snapshot.nodes.find((n) => n.key === watched?.from.key);
      expect(process?.props.argv).toContain(`assim-e2e-service-${token}`);

      const unmonitored = await store.runQuery("unmonitored-services", { host: hostname });
      const argvOf = (key: unknown) =>
        (snapshot.nodes.find((n) => n.key === key)?.props.argv as string[]) ?? [];
      const markers = unmonitored.rows.flatMap((row) =>
        argvOf(row.process).filter((a) => a.startsWith("assim-e2e-")),
      );
      expect(markers).toEqual([`assim-e2e-unmonitored-${token}`]);
    } finally {
      await store.close();
    }
    // Stop-and-wait helpers above are bounded; a short pause lets the listeners' ports go.
    await sleep(10);
  });
});
