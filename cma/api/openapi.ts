/**
 * The OpenAPI 3.1 document of the REST API, generated from the query catalogue
 * and the route table (routes.ts), so it describes exactly what the app serves.
 * Schemas are JSON Schema 2020-12, as OpenAPI 3.1 requires.
 */
import { packageVersion } from "../../lib/package-root.js";
import type { ParamDefinition, QueryDefinition } from "../queries/catalogue.js";
import { GRAPH_MAX_HOSTS } from "./dependency-graph.js";
import { ERROR_KINDS } from "./errors.js";
import { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT, type FeedName } from "./feeds.js";
import { QUERY_ROUTES, type QueryRoute, queryPath } from "./routes.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * What canonicalMac() accepts: 12 or 16 hex digits, with ":", "-" or "." anywhere
 * between them (00:1b:2c:3d:4e:5f, 00-1B-2C-3D-4E-5F, 001b.2c3d.4e5f).
 */
export const MAC_PATTERN = "^\\s*[-:.]*(?:[0-9A-Fa-f][-:.]*){12}(?:(?:[0-9A-Fa-f][-:.]*){4})?\\s*$";

/** A query's parameter as a JSON Schema. */
export function parameterSchema(param: ParamDefinition): JsonObject {
  const schema: JsonObject = {};
  switch (param.type) {
    case "string":
      Object.assign(schema, { type: "string", minLength: 1 });
      if (param.maxLength !== undefined) schema.maxLength = param.maxLength;
      break;
    case "integer":
      schema.type = "integer";
      if (param.min !== undefined) schema.minimum = param.min;
      if (param.max !== undefined) schema.maximum = param.max;
      break;
    case "boolean":
      schema.type = "boolean";
      break;
    case "ip":
      Object.assign(schema, {
        type: "string",
        anyOf: [{ format: "ipv4" }, { format: "ipv6" }],
      });
      break;
    case "mac":
      Object.assign(schema, { type: "string", pattern: MAC_PATTERN });
      break;
    case "enum":
      Object.assign(schema, { type: "string", enum: [...(param.values ?? [])] });
      break;
  }
  if (param.default !== undefined) schema.default = param.default;
  return schema;
}

/** A cell: whatever the store gives (strings, integers, booleans, null, sorted lists). */
const CELL: JsonObject = {
  type: ["string", "integer", "boolean", "null", "array"],
  items: { type: ["string", "integer"] },
};

function resultSchema(query: QueryDefinition): JsonObject {
  const columns = query.columns.map((c) => c.name);
  return {
    type: "object",
    required: ["name", "params", "columns", "rows"],
    additionalProperties: false,
    properties: {
      name: { const: query.name },
      params: {
        description: "the parameters the query ran with, validated, defaults filled in",
        type: "object",
        additionalProperties: false,
        properties: Object.fromEntries(query.params.map((p) => [p.name, parameterSchema(p)])),
      },
      columns: { const: columns },
      rows: {
        description: `ordered by ${query.order}`,
        type: "array",
        items: {
          type: "object",
          required: columns,
          additionalProperties: false,
          properties: Object.fromEntries(
            query.columns.map((c) => [c.name, { ...CELL, description: c.description }]),
          ),
        },
      },
    },
  };
}

const errorResponse = (description: string): JsonObject => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function operation(route: QueryRoute): JsonObject {
  const { query } = route;
  const parameters: Json[] = query.params.map((param) => {
    const inPath = route.pathParams.includes(param.name);
    return {
      name: param.name,
      in: inPath ? "path" : "query",
      description: param.description,
      required: inPath || param.required === true,
      schema: parameterSchema(param),
    };
  });
  const rules = query.check
    ? " Some parameters go together; a wrong combination is answered with 400."
    : "";
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Runs the catalogue query "${query.name}": ${query.description}.${rules}`,
    tags: [route.path === queryPath(query.name) ? "queries" : "resources"],
    parameters,
    responses: {
      "200": {
        description: `rows of ${query.name}`,
        content: { "application/json": { schema: resultSchema(query) } },
      },
      "400": errorResponse("a parameter is missing, unknown, malformed or given twice"),
      "500": errorResponse("the graph store failed"),
    },
  };
}

const ERROR_SCHEMA: JsonObject = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: {
      description: "what kind of failure",
      enum: [...ERROR_KINDS],
    },
    message: { type: "string" },
    query: { type: "string", description: "the query at fault, when there is one" },
    parameter: {
      type: ["string", "null"],
      description: "the parameter at fault; null when the combination of parameters is",
    },
    request_id: {
      type: "string",
      description: "for store failures: the id under which the server logged the cause",
    },
  },
};

const CATALOGUE_SCHEMA: JsonObject = {
  type: "object",
  required: ["queries"],
  properties: {
    queries: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "description", "params", "columns", "order", "paths"],
        properties: {
          name: { type: "string" },
          description: { type: "string" },
          params: { type: "array", items: { type: "object" } },
          columns: { type: "array", items: { type: "object" } },
          order: { type: "string" },
          paths: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
};

const HEALTH_SCHEMA: JsonObject = {
  type: "object",
  required: ["status", "store"],
  properties: {
    status: { enum: ["ok", "unavailable"] },
    store: { type: "string", description: '"embedded" or "neo4j"' },
    message: { type: "string" },
  },
};

const GRAPH_SCHEMA: JsonObject = {
  type: "object",
  required: ["nodes", "edges", "truncated"],
  additionalProperties: false,
  properties: {
    nodes: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "name", "status"],
        additionalProperties: false,
        properties: {
          id: { type: "string", description: "System key" },
          name: { type: "string", description: "hostname" },
          status: { type: "string", description: "up, down or unknown" },
        },
      },
    },
    edges: {
      type: "array",
      items: {
        type: "object",
        required: ["source", "target", "services"],
        additionalProperties: false,
        properties: {
          source: { type: "string", description: "the client host's System key" },
          target: { type: "string", description: "the serving host's System key" },
          services: {
            type: "array",
            items: { type: "string" },
            description: 'what the client uses there, "process proto/port"',
          },
        },
      },
    },
    truncated: {
      type: "boolean",
      description: `true when only the first ${GRAPH_MAX_HOSTS} live hosts are in the answer`,
    },
  },
};

const FEED_SCHEMA = (feed: FeedName): JsonObject => ({
  type: "object",
  required: ["feed", "entries", "skipped"],
  additionalProperties: false,
  properties: {
    feed: { const: feed },
    entries: {
      description: "the newest entries, oldest first",
      type: "array",
      items: { type: "object" },
    },
    skipped: { type: "integer", minimum: 0, description: "lines read that were not JSON objects" },
    note: { type: "string", description: "why the feed is empty: not configured, or no file yet" },
  },
});

const noParameters = (name: string) =>
  errorResponse(`a query-string parameter was given; ${name} takes none`);

function feedOperation(feed: FeedName, summary: string, description: string): JsonObject {
  return {
    get: {
      operationId: feed === "events" ? "listEvents" : "listDrift",
      summary,
      description,
      tags: ["feeds"],
      parameters: [
        {
          name: "limit",
          in: "query",
          required: false,
          description: "how many of the newest entries",
          schema: {
            type: "integer",
            minimum: 1,
            maximum: FEED_MAX_LIMIT,
            default: FEED_DEFAULT_LIMIT,
          },
        },
      ],
      responses: {
        "200": {
          description: `the newest ${feed} entries`,
          content: { "application/json": { schema: FEED_SCHEMA(feed) } },
        },
        "400": errorResponse(
          "limit is malformed, out of range or repeated, or another parameter is given",
        ),
        "500": errorResponse("the file could not be read"),
      },
    },
  };
}

/** The whole OpenAPI 3.1 document. */
export function buildOpenApiDocument(): JsonObject {
  const paths: JsonObject = {
    "/health": {
      get: {
        operationId: "health",
        summary: "Whether the graph store answers",
        tags: ["service"],
        responses: {
          "200": {
            description: "the store answered",
            content: { "application/json": { schema: HEALTH_SCHEMA } },
          },
          "503": {
            description: "the store did not answer in time or failed",
            content: { "application/json": { schema: HEALTH_SCHEMA } },
          },
        },
      },
    },
    "/api/openapi.json": {
      get: {
        operationId: "openApiDocument",
        summary: "This document",
        tags: ["service"],
        responses: {
          "200": {
            description: "the OpenAPI 3.1 document",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
    "/api/queries": {
      get: {
        operationId: "listQueries",
        summary: "The query catalogue: names, parameters, columns and paths",
        tags: ["queries"],
        responses: {
          "200": {
            description: "the catalogue",
            content: { "application/json": { schema: CATALOGUE_SCHEMA } },
          },
        },
      },
    },
  };
  for (const route of QUERY_ROUTES) {
    paths[route.path] = { get: operation(route) };
  }
  paths["/api/graph"] = {
    get: {
      operationId: "getDependencyGraph",
      summary: "The service dependency graph between hosts",
      description:
        "Live hosts with their status, and an edge from each host to every other host whose services it uses.",
      tags: ["views"],
      responses: {
        "200": {
          description: "nodes and edges",
          content: { "application/json": { schema: GRAPH_SCHEMA } },
        },
        "400": noParameters("/api/graph"),
        "500": errorResponse("the graph store failed"),
      },
    },
  };
  paths["/api/events"] = feedOperation(
    "events",
    "The newest CMA events (events.jsonl)",
    "The tail of the CMA's events log: host and switch up/down/late, registrations. Empty, with a note, when the server was started without an events log or the file does not exist yet.",
  );
  paths["/api/drift"] = feedOperation(
    "drift",
    "The newest drift entries of the exporters (drift.jsonl)",
    "The tail of OUT/drift.jsonl: one entry per added, removed or changed record field since the previous export. Empty, with a note, when no export directory is configured or nothing was exported yet.",
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "assim graph API",
      version: packageVersion(),
      summary: "Read-only queries over the discovered graph of systems, services and dependencies",
      license: { name: "GPL-3.0-or-later", identifier: "GPL-3.0-or-later" },
    },
    tags: [
      { name: "queries", description: "every catalogue query under /api/queries/<name>" },
      { name: "resources", description: "the same queries addressed as resources" },
      { name: "views", description: "the graph shaped for the web view" },
      { name: "feeds", description: "the newest lines of the events log and the drift feed" },
      { name: "service", description: "health and this document" },
    ],
    paths,
    components: { schemas: { Error: ERROR_SCHEMA } },
  };
}
