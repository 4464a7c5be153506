/** /metrics over real HTTP on loopback: its own server, and mounted on an Express app. */
import type { AddressInfo } from "node:net";
import express from "express";
import { Counter } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { parseExposition, promtoolCheck, scrape } from "../../test/support/prometheus-text.js";
import { metricsRequestHandler, startMetricsServer } from "./http.js";
import { createMetricsRegistry } from "./registry.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(registry = createMetricsRegistry()) {
  const server = await startMetricsServer({ registry, port: 0 });
  closers.push(server.close);
  return { registry, server };
}

describe("startMetricsServer", () => {
  it("serves the registry at /metrics in the text format, with the process metrics under assim_", async () => {
    const { registry, server } = await serve();
    const hits = new Counter({
      name: "assim_test_hits_total",
      help: "hits",
      registers: [registry],
    });
    hits.inc(3);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const metrics = await scrape(server.url);
    expect(metrics.value("assim_test_hits_total")).toBe(3);
    expect(metrics.type.get("assim_test_hits_total")).toBe("counter");
    expect(metrics.value("assim_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(metrics.series("process_resident_memory_bytes")).toEqual([]);
  });

  it("answers 404 beside /metrics, 405 to other methods, and HEAD without a body", async () => {
    const { server } = await serve();
    const base = server.url.replace(/\/metrics$/, "");
    const missing = await fetch(`${base}/`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    const post = await fetch(server.url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(server.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await head.text()).toBe("");
    expect((await fetch(`${server.url}?debug=1`)).status).toBe(200);
  });

  it("keeps registries apart: two servers in one process show their own counters", async () => {
    const one = await serve(createMetricsRegistry({ processMetrics: false }));
    const two = await serve(createMetricsRegistry({ processMetrics: false }));
    for (const { registry } of [one, two]) {
      new Counter({ name: "assim_test_total", help: "same name twice", registers: [registry] });
    }
    (one.registry.getSingleMetric("assim_test_total") as Counter).inc(1);
    (two.registry.getSingleMetric("assim_test_total") as Counter).inc(2);
    expect((await scrape(one.server.url)).value("assim_test_total")).toBe(1);
    expect((await scrape(two.server.url)).value("assim_test_total")).toBe(2);
  });

  it("rejects when the port is taken", async () => {
    const { server } = await serve();
    await expect(
      startMetricsServer({ registry: createMetricsRegistry(), port: server.port }),
    ).rejects.toThrow(/EADDRINUSE/);
  });

  it("passes promtool check metrics when promtool is installed", async (context) => {
    const { server } = await serve();
    const text = await (await fetch(server.url)).text();
    parseExposition(text);
    const checked = await promtoolCheck(text);
    if (checked === null) {
      context.skip("promtool is not installed (.ci/run unpacks it; or set PROMTOOL to its path)");
      return;
    }
    expect(checked.exitCode, checked.output).not.toBe(1);
    // prom-client names three gauges *_total; Prometheus lints that, and only that.
    expect(checked.problems).toEqual(
      ["active_handles", "active_requests", "active_resources"].map(
        (what) => `assim_nodejs_${what}_total non-counter metrics should not have "_total" suffix`,
      ),
    );
  });
});

describe("metricsRequestHandler", () => {
  it("serves the metrics from an Express app at the path it is mounted on", async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    new Counter({ name: "assim_test_total", help: "t", registers: [registry] }).inc(7);
    const app = express();
    app.get("/metrics", metricsRequestHandler(registry));
    const listening = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    closers.push(() => new Promise((resolve) => listening.close(() => resolve())));
    const { port } = listening.address() as AddressInfo;
    const metrics = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.value("assim_test_total")).toBe(7);
  });
});
