/**
 * The OpenAPI document: structurally a valid OpenAPI 3.1 description of every
 * route, every schema in it valid JSON Schema 2020-12 (ajv, strict), and its
 * parameter schemas never stricter than the server's own validation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openApiAjv, schemaRef } from "../../test/support/openapi.js";
import { type ParamDefinition, QUERIES } from "../queries/catalogue.js";
import { QueryParameterError } from "../queries/errors.js";
import { prepareQuery } from "../queries/params.js";
import { buildOpenApiDocument } from "./openapi.js";
import { QUERY_ROUTES } from "./routes.js";

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
  description: string;
}
interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: Parameter[];
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}

const document = buildOpenApiDocument() as unknown as {
  openapi: string;
  info: { title: string; version: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
};
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op })),
);

/** Every value under `value` whose key is `key`. */
function collect(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) collect(item, key, found);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

describe("OpenAPI document", () => {
  it("is an OpenAPI 3.1 document with info and unique operation ids", () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(document.tags.map((t) => t.name));
    for (const { path, method, op } of operations) {
      expect(method, path).toBe("get");
      expect(path.startsWith("/"), path).toBe(true);
      expect(
        op.tags.every((t) => tags.has(t)),
        path,
      ).toBe(true);
      expect(op.responses["200"]?.content?.["application/json"]?.schema, path).toBeTruthy();
      for (const response of Object.values(op.responses)) expect(response.description).toBeTruthy();
    }
  });

  it("describes every catalogue query at /api/queries/<name> with exactly its parameters", () => {
    for (const query of QUERIES) {
      const op = document.paths[`/api/queries/${query.name}`]?.get;
      expect(op, query.name).toBeDefined();
      expect(op?.parameters?.map((p) => [p.name, p.in, p.required]) ?? [], query.name).toEqual(
        query.params.map((p) => [p.name, "query", p.required === true]),
      );
      expect(Object.keys(op?.responses ?? {}).sort()).toEqual(["200", "400", "500"]);
    }
  });

  it("path templates and path parameters match one to one, and aliases keep the query's parameters", () => {
    for (const route of QUERY_ROUTES) {
      const op = document.paths[route.path]?.get as Operation;
      expect(op.operationId).toBe(route.operationId);
      const templated = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const inPath = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(
        inPath.map((p) => p.name),
        route.path,
      ).toEqual(templated);
      expect(inPath.every((p) => p.required)).toBe(true);
      expect((op.parameters ?? []).map((p) => p.name).sort()).toEqual(
        route.query.params.map((p) => p.name).sort(),
      );
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/health", "/api/openapi.json", "/api/queries"]),
    );
  });

  it("every $ref resolves inside the document", () => {
    const refs = collect(document, "$ref") as string[];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith("#/"), ref).toBe(true);
      let target: unknown = document;
      for (const part of ref.slice(2).split("/")) {
        target = (target as Json)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
      }
      expect(target, ref).toBeTypeOf("object");
    }
  });

  it("every schema in it compiles as strict JSON Schema 2020-12", () => {
    const ajv = openApiAjv(document);
    let compiled = 0;
    for (const { path, op } of operations) {
      for (const [index, parameter] of (op.parameters ?? []).entries()) {
        expect(parameter.description, `${path} ${parameter.name}`).toBeTruthy();
        ajv.compile(schemaRef("paths", path, "get", "parameters", String(index), "schema"));
        compiled++;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (!response.content) continue;
        ajv.compile(
          schemaRef(
            "paths",
            path,
            "get",
            "responses",
            status,
            "content",
            "application/json",
            "schema",
          ),
        );
        compiled++;
      }
    }
    for (const name of Object.keys(document.components.schemas)) {
      ajv.compile(schemaRef("components", "schemas", name));
      compiled++;
    }
    expect(compiled).toBeGreaterThan(QUERIES.length * 2);
  });

  it("a 400 body and a result body conform, and a wrong body does not", () => {
    const ajv = openApiAjv(document);
    const badRequest = ajv.compile(
      schemaRef(
        "paths",
        "/api/ips/{ip}",
        "get",
        "responses",
        "400",
        "content",
        "application/json",
        "schema",
      ),
    );
    expect(
      badRequest({ error: "bad-parameter", message: "m", query: "find-ip", parameter: "ip" }),
    ).toBe(true);
    expect(badRequest({ error: "teapot", message: "m" })).toBe(false);
    const systems = ajv.compile(
      schemaRef(
        "paths",
        "/api/systems",
        "get",
        "responses",
        "200",
        "content",
        "application/json",
        "schema",
      ),
    );
    const columns = QUERIES[0]?.columns.map((c) => c.name) ?? [];
    const row = Object.fromEntries(columns.map((c) => [c, null]));
    expect(systems({ name: "systems", params: {}, columns, rows: [row] })).toBe(true);
    expect(systems({ name: "systems", params: {}, columns, rows: [{ ...row, extra: 1 }] })).toBe(
      false,
    );
    expect(systems({ name: "systems", params: { kind: "router" }, columns, rows: [] })).toBe(false);
  });
});

/** How a server following the document would read a query-string value for this schema. */
function deserialize(param: ParamDefinition, text: string): unknown {
  if (param.type === "integer" && /^\s*-?\d+\s*$/.test(text)) return Number(text);
  if (param.type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** Values to try for a parameter: well-formed ones of its type and arbitrary text. */
function candidates(param: ParamDefinition): fc.Arbitrary<string> {
  const bounds = [param.min, param.max].filter((n): n is number => n !== undefined);
  const hex = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, "0"));
  const typed: Record<ParamDefinition["type"], fc.Arbitrary<string>> = {
    integer: fc.oneof(
      fc.integer({ min: -100_000, max: 100_000 }).map(String),
      fc.constantFrom("0", ...bounds.flatMap((n) => [n - 1, n, n + 1]).map(String)),
      fc.constantFrom("", " 7", "1.5", "1e3", "0x10", "-0", "+5", "99999999999999999"),
    ),
    boolean: fc.constantFrom("true", "false", "TRUE", "1", ""),
    ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.constantFrom("010.0.0.1", "::1%lo")),
    mac: fc
      .tuple(
        fc.array(hex, { minLength: 4, maxLength: 9 }),
        fc.constantFrom(":", "-", ".", "", "::"),
        fc.constantFrom("", " ", "\t"),
      )
      .map(([bytes, sep, pad]) => `${pad}${bytes.join(sep)}${pad}`),
    enum: fc.constantFrom(...(param.values ?? []), "", "HOST", "other"),
    string: fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", minLength: 500, maxLength: 700 }),
      fc.constantFrom(" ", "\u0000x", "web1' OR '1'='1"),
    ),
  };
  return fc.oneof(typed[param.type], fc.string({ maxLength: 30 }));
}

describe("OpenAPI parameter schemas against the server's validation", () => {
  const ajv = openApiAjv(document);
  const cases = QUERY_ROUTES.filter((r) => r.path.startsWith("/api/queries/")).flatMap((route) =>
    route.query.params.map((param, index) => ({ route, param, index })),
  );

  it.each(cases.map((c) => [`${c.route.query.name} ${c.param.name}`, c] as const))(
    "%s: what the server accepts, the document accepts (and the reverse for exact types)",
    (_title, { route, param, index }) => {
      const schema = ajv.compile(
        schemaRef("paths", route.path, "get", "parameters", String(index), "schema"),
      );
      const exact = param.type === "integer" || param.type === "enum" || param.type === "mac";
      fc.assert(
        fc.property(candidates(param), (text) => {
          let serverAccepts = true;
          try {
            prepareQuery(route.query.name, { [param.name]: text });
          } catch (error) {
            // Only this parameter's own verdict counts, not a missing companion parameter.
            if (error instanceof QueryParameterError && error.parameter === param.name) {
              serverAccepts = false;
            }
          }
          const documentAccepts = schema(deserialize(param, text));
          if (serverAccepts) expect(documentAccepts, JSON.stringify(text)).toBe(true);
          if (exact) expect(serverAccepts, JSON.stringify(text)).toBe(documentAccepts);
        }),
        { numRuns: 300 },
      );
    },
  );
});
