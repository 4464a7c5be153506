/**
 * GET /metrics in the Prometheus text format: on a small server of its own
 * (startMetricsServer) or mounted on an Express app (metricsRequestHandler).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";

export const METRICS_PATH = "/metrics";

async function writeMetrics(registry: Registry, response: ServerResponse): Promise<void> {
  let text: string;
  try {
    text = await registry.metrics();
  } catch (error) {
    response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    response.end(`metrics collection failed: ${(error as Error).message}\n`);
    return;
  }
  response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
  response.end(text);
}

/** Answers one request: the metrics at /metrics for GET and HEAD, 405 for other methods there, 404 elsewhere. */
async function serveMetrics(
  registry: Registry,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path !== METRICS_PATH) {
    response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    response.end(`not found: metrics are at ${METRICS_PATH}\n`);
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    response.end("method not allowed\n");
    return;
  }
  await writeMetrics(registry, response);
}

/** An Express handler that serves the metrics wherever it is mounted: app.get("/metrics", handler). */
export function metricsRequestHandler(registry: Registry): RequestHandler {
  return (_request, response, next) => {
    writeMetrics(registry, response).catch(next);
  };
}

interface MetricsServerOptions {
  registry: Registry;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port (see the returned url). */
  port: number;
}

export interface MetricsServer {
  /** http://host:port/metrics as bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics on its own port; resolves once listening, rejects if it cannot bind. */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    serveMetrics(options.registry, request, response).catch(() => response.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}${METRICS_PATH}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
