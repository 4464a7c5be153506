/**
 * The REST API over the graph: read-only, one route per catalogue query
 * (routes.ts), the catalogue itself, /health and the OpenAPI document. The app
 * needs nothing of the store but runQuery and its adapter's name, so it
 * serves either adapter unchanged.
 */
import express, { type Express, type Request, type RequestHandler } from "express";
import type { Registry } from "prom-client";
import { driftPath } from "../../exporters/state.js";
import { METRICS_PATH, metricsRequestHandler } from "../../lib/metrics/http.js";
import { webRouter } from "../../web/router.js";
import type { GraphStore } from "../graph/store.js";
import { QUERIES, queryNames } from "../queries/catalogue.js";
import { QueryParameterError, UnknownQueryError } from "../queries/errors.js";
import { prepareQuery } from "../queries/params.js";
import { graphRoute } from "./dependency-graph.js";
import { errorHandler, methodNotAllowed, notFound, StoreFailure } from "./errors.js";
import { feedRoute } from "./feeds.js";
import { buildOpenApiDocument } from "./openapi.js";
import { type LogSink, requestId, requestLogger, setLoggedError } from "./request-log.js";
import { expressPath, QUERY_ROUTES, type QueryRoute } from "./routes.js";

export type ApiStore = Pick<GraphStore, "adapter" | "runQuery">;

/**
 * What /health asks the store: a real read that stays cheap as the graph grows
 * (it touches System nodes only; counts() reads every node, ~0.8 s at 1,000
 * hosts on the embedded store, which would fail the health timeout at scale).
 */
export const HEALTH_QUERY = "down-systems";

export interface ApiAppOptions {
  store: ApiStore;
  /** Receives one line per request; none are written when absent. */
  log?: LogSink;
  /** /health answers 503 when the store has not answered within this time. */
  healthTimeoutMs?: number;
  /** Prometheus metrics served at /metrics (the CMA's and the exports'); none when absent. */
  metrics?: Registry;
  /** The CMA's events log (JSON lines) that /api/events reads; none when absent or null. */
  eventsLog?: string | null;
  /** The exporters' output directory, whose drift.jsonl /api/drift reads; none when absent or null. */
  exportDir?: string | null;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

/** The query-string parameters, each given once; a repeated one is a caller mistake. */
function queryStringParams(req: Request, route: QueryRoute, query: string): Record<string, string> {
  const search = new URL(req.originalUrl, "http://localhost").searchParams;
  const params: Record<string, string> = {};
  for (const [name, value] of search) {
    if (Object.hasOwn(params, name)) {
      throw new QueryParameterError(query, name, "given more than once");
    }
    if (route.pathParams.includes(name)) {
      throw new QueryParameterError(query, name, "already given in the path");
    }
    params[name] = value;
  }
  return params;
}

/** /api/queries/:name for a name the catalogue lacks (known names have their own route). */
const unknownQuery: RequestHandler = (req) => {
  throw new UnknownQueryError(String(req.params.name), queryNames());
};

function answer(store: ApiStore, route: QueryRoute): RequestHandler {
  return async (req, res) => {
    const name = route.query.name;
    const raw = queryStringParams(req, route, name);
    for (const param of route.pathParams) raw[param] = String(req.params[param]);
    const { params } = prepareQuery(name, raw);
    let result: Awaited<ReturnType<ApiStore["runQuery"]>>;
    try {
      result = await store.runQuery(name, params);
    } catch (error) {
      throw new StoreFailure(error);
    }
    res.json({ name: result.name, params, columns: result.columns, rows: result.rows });
  };
}

function health(store: ApiStore, timeoutMs: number): RequestHandler {
  return async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([store.runQuery(HEALTH_QUERY), timeout]);
      res.json({ status: "ok", store: store.adapter });
    } catch (error) {
      setLoggedError(res, error instanceof Error ? error.message : String(error));
      res.status(503).json({
        status: "unavailable",
        store: store.adapter,
        message: `the graph store does not answer; the server log has the cause under request id ${requestId(res)}`,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

function catalogue() {
  return {
    queries: QUERIES.map((query) => ({
      name: query.name,
      description: query.description,
      params: query.params,
      columns: query.columns,
      order: query.order,
      paths: QUERY_ROUTES.filter((r) => r.query === query).map((r) => r.path),
    })),
  };
}

export function createApiApp(options: ApiAppOptions): Express {
  const { store } = options;
  const app = express();
  app.disable("x-powered-by");
  // Query strings are read per route (queryStringParams), never parsed into nested objects.
  app.set("query parser", false);
  if (options.log) app.use(requestLogger(options.log));
  app.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  const openapi = buildOpenApiDocument();
  const routes: [string, RequestHandler][] = [
    ["/health", health(store, options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS)],
    ["/api/openapi.json", (_req, res) => void res.json(openapi)],
    ["/api/queries", (_req, res) => void res.json(catalogue())],
    ...QUERY_ROUTES.map((r): [string, RequestHandler] => [expressPath(r.path), answer(store, r)]),
    ["/api/queries/:name", unknownQuery],
    ...(options.metrics
      ? [[METRICS_PATH, metricsRequestHandler(options.metrics)] as [string, RequestHandler]]
      : []),
    ["/api/graph", graphRoute(store)],
    ["/api/events", feedRoute("events", options.eventsLog ?? null)],
    ["/api/drift", feedRoute("drift", options.exportDir ? driftPath(options.exportDir) : null)],
  ];
  for (const [path, handler] of routes) {
    app.get(path, handler);
    app.all(path, methodNotAllowed);
  }
  app.use(webRouter());
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
