/**
 * `assim cma` and `assim probe` as real processes over real UDP and crypto on
 * loopback: registration, rings that match on both sides, a kill -9 detected
 * as one host_down, a SIGTERM as a shutdown with no alarm, and a restarted CMA
 * that resumes its rings without anyone registering again.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CmaStatusFile,
  type Daemon,
  freePort,
  freeTcpPort,
  type ProbeStatusFile,
  readEvents,
  readJson,
  ringsAgree,
  startAssim,
  waitFor,
} from "./support/daemons.js";
import { scrape } from "./support/prometheus-text.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const TIMERS = { interval: 200, warn: 800, dead: 2000 };
const HOSTS = 4;
const scratch = mkdtempSync(join(tmpdir(), "assim-daemons-"));
const daemons: Daemon[] = [];
let webhook: WebhookReceiver;
const execDir = join(scratch, "on-event");
const execLog = join(scratch, "on-event.log");
afterAll(async () => {
  await webhook?.close();
  for (const daemon of daemons) await daemon.stop("SIGKILL").catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

const machineId = (name: string) =>
  createHash("sha256").update(`daemons-test/${name}`).digest("hex").slice(0, 32);
const cmaDir = join(scratch, "cma");
const exportDir = join(scratch, "out");
const cmaStatus = () => readJson<CmaStatusFile>(join(cmaDir, "cma-status.json"));
const probeStatus = (host: string) =>
  readJson<ProbeStatusFile>(join(scratch, host, "probe-status.json"));

let cmaPort = 0;
let metricsPort = 0;
function startCma(): Daemon {
  const cma = startAssim("cma", [
    "cma",
    "--bind",
    `127.0.0.1:${cmaPort}`,
    "--data-dir",
    cmaDir,
    "--interval",
    String(TIMERS.interval),
    "--warn",
    String(TIMERS.warn),
    "--dead",
    String(TIMERS.dead),
    "--discovery-types",
    "os",
    "--webhook",
    webhook.url,
    "--exec-dir",
    execDir,
    "--export-every",
    "1s",
    "--export-out",
    exportDir,
    "--export-format",
    "json,ansible",
    "--metrics",
    `127.0.0.1:${metricsPort}`,
  ]);
  daemons.push(cma);
  return cma;
}

const probes = new Map<string, Daemon>();
async function startProbe(host: string): Promise<Daemon> {
  const probe = startAssim(host, [
    "probe",
    "--cma",
    `127.0.0.1:${cmaPort}`,
    "--cma-key",
    join(cmaDir, "keys", "cma.pub"),
    "--bind",
    `127.0.0.1:${await freePort()}`,
    "--data-dir",
    join(scratch, host),
    "--machine-id",
    machineId(host),
    "--hostname",
    host,
  ]);
  daemons.push(probe);
  probes.set(host, probe);
  return probe;
}

const agree = (status: CmaStatusFile) => ringsAgree(status, probeStatus);

const hosts = Array.from({ length: HOSTS }, (_, i) => `lo${i + 1}`);

describe("assim cma and assim probe over loopback", () => {
  it("registers every probe and gives each the partners the CMA's ring holds", async () => {
    cmaPort = await freePort();
    metricsPort = await freeTcpPort();
    webhook = await startWebhookReceiver(() => 200);
    mkdirSync(execDir);
    writeFileSync(
      join(execDir, "10-record"),
      `#!/bin/sh\ncat >> '${execLog}'\necho >> '${execLog}'\n`,
    );
    chmodSync(join(execDir, "10-record"), 0o755);
    const cma = startCma();
    await waitFor("the CMA's public key", () => readJson(join(cmaDir, "cma-status.json")), 30_000);
    for (const host of hosts) await startProbe(host);
    const status = await waitFor(
      "all probes registered with agreeing rings",
      () => {
        const status = cmaStatus();
        return status?.probes.filter((p) => p.state === "up").length === HOSTS && agree(status)
          ? status
          : undefined;
      },
      30_000,
    );
    expect(status.rings.global?.length).toBe(HOSTS);
    expect(cma.running).toBe(true);
    const events = readEvents(cmaDir);
    expect(events.filter((event) => event.type === "host_up")).toHaveLength(HOSTS);
    // The discovery document each probe sent was stored under its own machine.
    expect(status.counters.documents_stored).toBeGreaterThanOrEqual(HOSTS);
    // The same, as Prometheus reads it from --metrics.
    const metrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.value("assim_registrations_total", { outcome: "new" })).toBe(HOSTS);
    expect(metrics.value("assim_probes", { state: "up" })).toBe(HOSTS);
    expect(metrics.value("assim_ring_members", { ring: "global" })).toBe(HOSTS);
  });

  it("exports the graph on its own schedule (--export-every)", async () => {
    const hostnames = await waitFor(
      "a scheduled export holding every probe's host",
      () => {
        const exported = readJson<{ records: { kind: string; fields: { name?: string } }[] }>(
          join(exportDir, "json", "records.json"),
        );
        const names = exported?.records.filter((r) => r.kind === "host").map((r) => r.fields.name);
        return names && hosts.every((h) => names.includes(h)) ? names : undefined;
      },
      30_000,
    );
    expect(hostnames).toEqual(expect.arrayContaining([...hosts]));
    const inventory = readFileSync(join(exportDir, "ansible", "inventory.yml"), "utf8");
    for (const host of hosts) expect(inventory).toContain(`${host}:`);
    // Only the formats asked for.
    expect(existsSync(join(exportDir, "nagios"))).toBe(false);
  });

  it("turns kill -9 of one probe into one host_down, and repairs the ring", async () => {
    const victim = probes.get("lo2") as Daemon;
    const killedAt = Date.now();
    await victim.stop("SIGKILL");
    await waitFor(
      "host_down for lo2",
      () => readEvents(cmaDir).some((e) => e.type === "host_down"),
      TIMERS.dead + 10 * TIMERS.interval + 5000,
    );
    const detection = Date.now() - killedAt;
    const downs = readEvents(cmaDir).filter((e) => e.type === "host_down");
    expect(downs.map((e) => e.system)).toEqual([`host:${machineId("lo2")}`]);
    // The same event reached the webhook and the script, stamped with the same id.
    const down = downs[0] as { id?: string };
    await waitFor(
      "host_down at the webhook and the script",
      () =>
        webhook.stored.some((event) => (event as { id?: string }).id === down.id) &&
        readFileSync(execLog, "utf8").includes(`"id":"${down.id}"`),
      10_000,
    );
    // deadtime + 2 intervals, plus the direct check and the status file's second of delay
    expect(detection).toBeLessThan(TIMERS.dead + 2 * TIMERS.interval + 2 * TIMERS.interval + 3000);
    const status = await waitFor(
      "the ring repaired",
      () => {
        const status = cmaStatus();
        return status && status.rings.global?.length === HOSTS - 1 && agree(status)
          ? status
          : undefined;
      },
      15_000,
    );
    expect(status.rings.global).not.toContain(`host:${machineId("lo2")}`);
  });

  it("takes SIGTERM as a shutdown, not a failure", async () => {
    const leaving = probes.get("lo3") as Daemon;
    await leaving.stop("SIGTERM");
    expect(leaving.exitCode).toBe(0);
    expect(leaving.lines("shutdown acknowledged by the CMA")).toHaveLength(1);
    await waitFor(
      "host_shutdown for lo3",
      () => readEvents(cmaDir).some((e) => e.type === "host_shutdown"),
      10_000,
    );
    // Wait past deadtime: no neighbour may report it dead.
    await new Promise((resolve) => setTimeout(resolve, TIMERS.dead + 4 * TIMERS.interval));
    const downs = readEvents(cmaDir).filter((e) => e.type === "host_down");
    expect(downs.map((e) => e.system)).toEqual([`host:${machineId("lo2")}`]);
    const status = await waitFor(
      "rings agree after the shutdown",
      () => {
        const status = cmaStatus();
        return status && status.rings.global?.length === HOSTS - 2 && agree(status)
          ? status
          : undefined;
      },
      15_000,
    );
    expect(status.probes.find((p) => p.hostname === "lo3")?.state).toBe("shutdown");
  });

  it("brings a dead probe back into the ring when it starts again", async () => {
    await startProbe("lo2");
    await waitFor(
      "lo2 back in the ring",
      () => {
        const status = cmaStatus();
        return status && status.rings.global?.length === HOSTS - 1 && agree(status);
      },
      20_000,
    );
  });

  it("resumes its rings after a restart, without the probes registering again", async () => {
    const before = cmaStatus() as CmaStatusFile;
    const cma = daemons.find((d) => d.name === "cma" && d.running) as Daemon;
    await cma.stop("SIGKILL");
    const restarted = startCma();
    await waitFor(
      "the restarted CMA's status",
      () => restarted.lines("CMA started").length > 0,
      30_000,
    );
    const startedWith = restarted.lines("CMA started")[0] as { probes: number };
    expect(startedWith.probes).toBe(HOSTS);
    const after = await waitFor(
      "the restarted CMA's rings",
      () => {
        const status = cmaStatus();
        return status && status.counters.registrations === 0 ? status : undefined;
      },
      10_000,
    );
    const order = (ring: string[] = []) => {
      const start = ring.indexOf([...ring].sort()[0] as string);
      return [...ring.slice(start), ...ring.slice(0, start)];
    };
    expect(order(after.rings.global)).toEqual(order(before.rings.global));
    // Probes keep heartbeating and reporting: a death after the restart is still seen.
    (probes.get("lo4") as Daemon).child.kill("SIGKILL");
    await waitFor(
      "host_down for lo4 from the restarted CMA",
      () =>
        readEvents(cmaDir).some(
          (e) => e.type === "host_down" && e.system.endsWith(machineId("lo4")),
        ),
      TIMERS.dead + 10 * TIMERS.interval + 5000,
    );
    expect(restarted.lines("probe registered")).toHaveLength(0);
  });
});
