/** Export metrics after real exports of a scratch graph, scraped over HTTP on loopback. */
import { afterEach, describe, expect, it } from "vitest";
import { ingestFixtureWorld } from "../../cma/graph/contract/support.js";
import type { Exporter } from "../../exporters/exporter.js";
import { jsonExporter } from "../../exporters/json/json.js";
import { runExport } from "../../exporters/run.js";
import { scrape } from "../../test/support/prometheus-text.js";
import { scratchStores } from "../../test/support/scratch-stores.js";
import { ExportMetrics, recordExport } from "./export-metrics.js";
import { type MetricsServer, startMetricsServer } from "./http.js";
import { createMetricsRegistry } from "./registry.js";

const { fresh } = scratchStores("assim-export-metrics-");

const T1 = new Date("2026-03-01T12:00:00.000Z");
const T2 = new Date("2026-03-01T13:00:00.000Z");

/** A format that fails once there is something to render. */
const broken: Exporter = {
  name: "broken",
  description: "fails",
  render(records) {
    if (records.length > 0) throw new Error("template exploded");
    return {};
  },
};

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serveExportMetrics() {
  const metrics = new ExportMetrics(createMetricsRegistry({ processMetrics: false }));
  server = await startMetricsServer({ registry: metrics.registry, port: 0 });
  return { metrics, url: server.url };
}

describe("export metrics", () => {
  it("record each export's outcome, duration, changes and records", async () => {
    const { store, out } = await fresh();
    const { metrics, url } = await serveExportMetrics();
    await ingestFixtureWorld(store);

    const first = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    recordExport(metrics, first);
    expect(first.added).toBeGreaterThan(0);
    let scraped = await scrape(url);
    expect(scraped.value("assim_exports_total", { outcome: "ok" })).toBe(1);
    expect(scraped.value("assim_exports_total", { outcome: "failed" })).toBe(0);
    expect(scraped.value("assim_export_changes_total", { kind: "added" })).toBe(first.added);
    expect(scraped.value("assim_export_changes_total", { kind: "changed" })).toBe(0);
    expect(scraped.value("assim_export_records")).toBe(first.records);
    expect(scraped.value("assim_export_duration_seconds_count")).toBe(1);
    expect(scraped.value("assim_export_duration_seconds_sum")).toBe(first.duration_ms / 1000);
    expect(scraped.value("assim_export_last_success_timestamp_seconds")).toBe(T1.getTime() / 1000);

    // Nothing changed in the graph: a second export adds no changes.
    const second = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T2 });
    recordExport(metrics, second);
    scraped = await scrape(url);
    expect(second.added + second.changed + second.removed).toBe(0);
    expect(scraped.value("assim_exports_total", { outcome: "ok" })).toBe(2);
    expect(scraped.value("assim_export_changes_total", { kind: "added" })).toBe(first.added);
    expect(scraped.value("assim_export_duration_seconds_count")).toBe(2);
    expect(scraped.value("assim_export_last_success_timestamp_seconds")).toBe(T2.getTime() / 1000);
  });

  it("count a failed export as failed and leave the last success's figures", async () => {
    const { store, out } = await fresh();
    const { metrics, url } = await serveExportMetrics();
    await ingestFixtureWorld(store);
    const ok = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    recordExport(metrics, ok);
    const failure = await runExport({
      store,
      outDir: out,
      formats: [jsonExporter, broken],
      now: () => T2,
    }).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/template exploded/);
    recordExport(metrics, failure);
    const scraped = await scrape(url);
    expect(scraped.value("assim_exports_total", { outcome: "failed" })).toBe(1);
    expect(scraped.value("assim_exports_total", { outcome: "ok" })).toBe(1);
    expect(scraped.value("assim_export_duration_seconds_count")).toBe(1);
    expect(scraped.value("assim_export_records")).toBe(ok.records);
    expect(scraped.value("assim_export_last_success_timestamp_seconds")).toBe(T1.getTime() / 1000);
  });
});
