/**
 * The CMA's /metrics, scraped over HTTP on loopback while a real CmaDaemon runs
 * with a real store and persistent rings, talking to simulated probes over real
 * UDP and crypto: what the scrape shows must agree with what the daemon did.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { hostSystemKey } from "../../cma/graph/keys.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { PersistentRings } from "../../cma/rings/persistent-rings.js";
import { CmaDaemon } from "../../cma/server/cma-daemon.js";
import { DEFAULT_CMA_SETTINGS } from "../../cma/server/config.js";
import type { CmaEventInput } from "../../cma/server/ports.js";
import { SimulatedProbe } from "../../cma/simulate/simulated-probe.js";
import { simulatedSwitchDocument } from "../../cma/simulate/switch-document.js";
import { udpStacks } from "../../cma/simulate/udp-stacks.js";
import type { PeerReportBody } from "../../protocol/messages.js";
import type { UdpAddress } from "../../protocol/transport.js";
import { promtoolCheck, scrape } from "../../test/support/prometheus-text.js";
import { waitUntil } from "../../test/support/wait-until.js";
import { silentLogger } from "../log.js";
import { CmaMetrics } from "./cma-metrics.js";
import { ExportMetrics } from "./export-metrics.js";
import { type MetricsServer, startMetricsServer } from "./http.js";
import { createMetricsRegistry } from "./registry.js";

const machineId = (n: number) => `${"ab".repeat(12)}${n.toString(16).padStart(8, "0")}`;

describe("CmaMetrics on a running CMA", () => {
  let dir: string;
  let store: GraphStore;
  let stacks: ReturnType<typeof udpStacks>;
  let cma: CmaDaemon;
  let cmaRef: { key: string; address: UdpAddress };
  let rings: PersistentRings;
  let server: MetricsServer;
  let events: CmaEventInput[];
  const refused = new Set<string>();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "assim-cma-metrics-"));
    store = await openEmbeddedStore({ dataDir: dir });
    stacks = udpStacks();
    ({ rings } = await PersistentRings.open(store));
    const registry = createMetricsRegistry({ processMetrics: false });
    events = [];
    refused.clear();
    const stack = await stacks.cma();
    cma = new CmaDaemon({
      stack,
      store,
      rings,
      events: { emit: (event) => events.push(event), close: async () => undefined },
      settings: { ...DEFAULT_CMA_SETTINGS, checkTimeoutMs: 300, outageWindowMs: 1000 },
      trust: (key) => (refused.has(key) ? "refused" : "trusted"),
      log: silentLogger,
      metrics: new CmaMetrics(registry),
    });
    new ExportMetrics(registry);
    cma.start();
    cmaRef = { key: stack.endpoint.publicKey, address: stack.endpoint.address() };
    server = await startMetricsServer({ registry, port: 0 });
  });

  afterEach(async () => {
    await server.close();
    await cma.close();
    await stacks.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startProbe(n: number): Promise<SimulatedProbe> {
    return new SimulatedProbe(await stacks.probe(n), machineId(n), cmaRef);
  }

  const send = (probe: SimulatedProbe, type: string, body: unknown) =>
    probe.stack.messenger.send(cmaRef.key, cmaRef.address, type, body);

  const reportAbout = (subject: SimulatedProbe, silentMs: number | null): PeerReportBody => ({
    peer: { key: subject.stack.endpoint.publicKey, machine_id: subject.machineId, addr: "" },
    rings: ["global"],
    silent_ms: silentMs,
  });

  it("counts registrations, ring members, documents, late heartbeats and deaths as the daemon saw them", async () => {
    const probes: SimulatedProbe[] = [];
    for (let n = 1; n <= 5; n++) probes.push(await startProbe(n));
    for (const probe of probes) await probe.register();
    // Hosts 1-3 hear switch 1, hosts 4-5 switch 2: three rings.
    for (const [index, probe] of probes.entries()) {
      await probe.reportSwitch(index < 3 ? 1 : 2, index + 1);
    }
    await waitUntil(() => Object.keys(cma.status().rings as object).length === 3);

    let metrics = await scrape(server.url);
    expect(metrics.value("assim_registrations_total", { outcome: "new" })).toBe(5);
    expect(metrics.value("assim_registrations_total", { outcome: "refused" })).toBe(0);
    expect(metrics.value("assim_probes", { state: "up" })).toBe(5);
    const view = cma.status().rings as Record<string, string[]>;
    expect(metrics.value("assim_rings")).toBe(3);
    expect(
      Object.fromEntries(metrics.series("assim_ring_members").map((s) => [s.labels.ring, s.value])),
    ).toEqual(
      Object.fromEntries(Object.entries(view).map(([ring, members]) => [ring, members.length])),
    );
    expect(metrics.value("assim_ring_members", { ring: "global" })).toBe(5);

    // Documents: one stale, one about another machine, one of a type the graph does not take.
    const [first, second] = probes as [SimulatedProbe, SimulatedProbe];
    const old = simulatedSwitchDocument(first.machineId, "old", 1, 1);
    old.collected_at = "2020-01-01T00:00:00.000Z";
    await send(first, "DISCOVERY", old);
    const foreign = simulatedSwitchDocument(second.machineId, "x", 1, 1);
    await expect(send(first, "DISCOVERY", foreign)).rejects.toThrow(/its own machine/);
    await expect(
      send(first, "DISCOVERY", {
        ...old,
        discovertype: "weather",
        collected_at: new Date().toISOString(),
      }),
    ).rejects.toThrow();

    // A late heartbeat, reported by a ring neighbour.
    await send(first, "HB_LATE", reportAbout(second, 4500));

    metrics = await scrape(server.url);
    const documents = (type: string, outcome: string) =>
      metrics.value("assim_ingest_documents_total", { type, outcome });
    expect(documents("switch", "stored")).toBe(5);
    expect(documents("switch", "stale")).toBe(1);
    expect(documents("switch", "rejected")).toBe(1);
    expect(documents("other", "rejected")).toBe(1);
    expect(metrics.value("assim_ingest_duration_seconds_count", { type: "switch" })).toBe(6);
    expect(
      metrics.value("assim_ingest_duration_seconds_bucket", { type: "switch", le: "+Inf" }),
    ).toBe(6);
    expect(metrics.value("assim_ingest_duration_seconds_sum", { type: "switch" })).toBeGreaterThan(
      0,
    );
    expect(metrics.value("assim_heartbeat_lateness_seconds_count")).toBe(1);
    expect(metrics.value("assim_heartbeat_lateness_seconds_sum")).toBe(4.5);
    expect(metrics.value("assim_heartbeat_lateness_seconds_bucket", { le: "4" })).toBe(0);
    expect(metrics.value("assim_heartbeat_lateness_seconds_bucket", { le: "5" })).toBe(1);
    expect(metrics.value("assim_events_total", { type: "host_late" })).toBe(1);

    // A death: host 5 is killed, and its ring neighbours report it.
    const victim = probes[4] as SimulatedProbe;
    const member = hostSystemKey(victim.machineId);
    const partners = new Set(Object.values(rings.partnersOf(member)).flat());
    const reporters = probes.filter((p) => partners.has(hostSystemKey(p.machineId)));
    expect(reporters.length).toBeGreaterThanOrEqual(2);
    for (const reporter of reporters) {
      await send(reporter, "HB_DEAD", reportAbout(victim, null));
    }
    await waitUntil(() => events.some((event) => event.type === "host_down"));

    // A shutdown, a repeated STARTUP, a refused one, and the dead host back with a new key.
    await send(first, "SHUTDOWN", { reason: "maintenance" });
    await second.register();
    const stranger = await startProbe(9);
    refused.add(stranger.stack.endpoint.publicKey);
    await expect(stranger.register()).rejects.toThrow(/refused/);
    const reborn = new SimulatedProbe(await stacks.probe(5), victim.machineId, cmaRef);
    await reborn.register();

    metrics = await scrape(server.url);
    expect(metrics.value("assim_deaths_total", { reason: "confirmed" })).toBe(1);
    expect(metrics.value("assim_deaths_total", { reason: "shutdown" })).toBe(1);
    expect(metrics.value("assim_deaths_total", { reason: "revoked" })).toBe(0);
    expect(metrics.value("assim_registrations_total", { outcome: "new" })).toBe(5);
    expect(metrics.value("assim_registrations_total", { outcome: "repeated" })).toBe(1);
    expect(metrics.value("assim_registrations_total", { outcome: "refused" })).toBe(1);
    expect(metrics.value("assim_registrations_total", { outcome: "reregistered" })).toBe(1);
    expect(metrics.value("assim_probes", { state: "up" })).toBe(4);
    expect(metrics.value("assim_probes", { state: "shutdown" })).toBe(1);
    expect(metrics.value("assim_probes", { state: "down" })).toBe(0);
    expect(metrics.value("assim_ring_members", { ring: "global" })).toBe(4);
    const byType = new Map<string, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    expect(
      new Map(metrics.series("assim_events_total").map((s) => [s.labels.type as string, s.value])),
    ).toEqual(byType);

    // A revoked key takes its probe off the rings.
    const revoked = second.stack.endpoint.publicKey;
    await cma.evict((key) => key !== revoked);
    metrics = await scrape(server.url);
    expect(metrics.value("assim_deaths_total", { reason: "revoked" })).toBe(1);
    expect(metrics.value("assim_probes", { state: "down" })).toBe(1);
    expect(metrics.value("assim_ring_members", { ring: "global" })).toBe(3);
    expect(cma.counters).toMatchObject({
      registrations: 5,
      reregistrations: 1,
      deaths: 1,
      shutdowns: 1,
    });
  });

  it("shows every assim metric with its HELP and TYPE, and passes promtool's lint when installed", async (context) => {
    const probe = await startProbe(1);
    await probe.register();
    await probe.reportSwitch(1, 1);
    const text = await (await fetch(server.url)).text();
    const metrics = await scrape(server.url);
    const types = Object.fromEntries(metrics.type);
    expect(types).toEqual({
      assim_registrations_total: "counter",
      assim_deaths_total: "counter",
      assim_events_total: "counter",
      assim_heartbeat_lateness_seconds: "histogram",
      assim_ingest_duration_seconds: "histogram",
      assim_ingest_documents_total: "counter",
      assim_probes: "gauge",
      assim_ring_members: "gauge",
      assim_rings: "gauge",
      assim_export_duration_seconds: "histogram",
      assim_exports_total: "counter",
      assim_export_changes_total: "counter",
      assim_export_records: "gauge",
      assim_export_last_success_timestamp_seconds: "gauge",
    });
    for (const name of Object.keys(types)) expect(metrics.help.get(name)).toBeTruthy();
    const checked = await promtoolCheck(text);
    if (checked === null) {
      context.skip("promtool is not installed (.ci/run unpacks it; or set PROMTOOL to its path)");
      return;
    }
    expect(checked.output).toBe("");
    expect(checked.exitCode).toBe(0);
  });
});
