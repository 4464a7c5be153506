/**
 * The REST API over real HTTP on 127.0.0.1 (ephemeral port), answering from a
 * real embedded store in a temporary data directory, filled by the real ingest
 * from the contract suite's three fixture hosts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseValidator } from "../../test/support/openapi.js";
import { ingestFixtureWorld, processKeyOf, SYSTEM } from "../graph/contract/support.js";
import { type EmbeddedStore, openEmbeddedStore } from "../graph/embedded/store.js";
import { QUERIES, queryNames } from "../queries/catalogue.js";
import type { ApiStore } from "./app.js";
import { buildOpenApiDocument } from "./openapi.js";
import type { RequestLogLine } from "./request-log.js";
import { QUERY_ROUTES, type QueryRoute } from "./routes.js";
import { type ApiServer, startApiServer } from "./server.js";

const SWITCH = "switch:00:1b:2c:3d:4e:5f";

const dirs: string[] = [];
const servers: ApiServer[] = [];
const stores: EmbeddedStore[] = [];

async function freshStore(): Promise<EmbeddedStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "assim-api-"));
  dirs.push(dataDir);
  const store = await openEmbeddedStore({ dataDir });
  stores.push(store);
  return store;
}

async function serve(store: ApiStore, extra: { healthTimeoutMs?: number } = {}) {
  const log: RequestLogLine[] = [];
  const server = await startApiServer({ store, port: 0, log: (l) => log.push(l), ...extra });
  servers.push(server);
  return { server, log };
}

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const store of stores) await store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function get(server: ApiServer, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

type Row = Record<string, unknown>;

/** Parameters that find something in the fixture world, per query. */
function exampleParams(query: string, slapd: string): Record<string, string | number> {
  const examples: Record<string, Record<string, string | number>> = {
    "host-dependencies": { host: "web1" },
    "host-links": { hosts: 500 },
    "dependency-tree": { host: "web1", port: 80 },
    "find-ip": { ip: "10.0.0.20" },
    "find-mac": { mac: "0c:c4:7a:00:00:20" },
    packages: { prefix: "lib" },
    "unmonitored-services": { host: "web1" },
  };
  if (query === "dependency-tree-by-process") return { process: slapd, direction: "used-by" };
  return examples[query] ?? {};
}

/** A URL for the route with example parameters, in the path where the route takes them. */
function routeExample(route: QueryRoute, slapd: string) {
  const byProcess = route.pathParams.includes("process");
  const params = exampleParams(byProcess ? "dependency-tree-by-process" : route.query.name, slapd);
  let path = route.path;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (route.pathParams.includes(name)) {
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    } else {
      search.set(name, String(value));
    }
  }
  const query = search.toString();
  return { url: query ? `${path}?${query}` : path, params };
}
const rowsOf = (a: Answer) => a.body.rows as Row[];

describe("REST API over a populated embedded store", () => {
  let store: EmbeddedStore;
  let server: ApiServer;
  let log: RequestLogLine[];

  beforeAll(async () => {
    store = await freshStore();
    await ingestFixtureWorld(store);
    // A switch heard on web1's eth0 (switch documents have no schema yet: through the operations).
    await store.write(async (tx) => {
      await tx.replaceSwitchNeighbours(
        SYSTEM.web1,
        [
          {
            interface: "eth0",
            switch: {
              key: SWITCH,
              kind: "switch",
              props: { name: "sw1.example.net", chassis_id: "00:1b:2c:3d:4e:5f" },
            },
            port: {
              key: `${SWITCH}|port:Gi1/0/1`,
              props: { port_id: "Gi1/0/1", description: "web1 eth0", vlan_id: 10 },
            },
            props: { interface: "eth0", protocols: ["lldp"], ttl_seconds: 120 },
          },
        ],
        "2026-03-01T10:00:00.000Z",
      );
      await tx.linkWiring(SYSTEM.web1, "2026-03-01T10:00:00.000Z");
    });
    ({ server, log } = await serve(store));
  });

  it("binds 127.0.0.1 by default", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it("/health: 200 with the adapter's name while the store answers", async () => {
    const answer = await get(server, "/health");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: "ok", store: "embedded" });
  });

  it("/api/openapi.json serves the document generated from the catalogue", async () => {
    const answer = await get(server, "/api/openapi.json");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(buildOpenApiDocument());
    expect(Object.keys(answer.body.paths as object)).toEqual(
      expect.arrayContaining(QUERY_ROUTES.map((r) => r.path)),
    );
  });

  it("/api/queries lists the whole catalogue with the paths that answer each query", async () => {
    const answer = await get(server, "/api/queries");
    expect(answer.status).toBe(200);
    const listed = answer.body.queries as { name: string; paths: string[]; params: unknown[] }[];
    expect(listed.map((q) => q.name)).toEqual(queryNames());
    const hostDependencies = listed.find((q) => q.name === "host-dependencies");
    expect(hostDependencies?.paths).toEqual([
      "/api/queries/host-dependencies",
      "/api/systems/{host}/dependencies",
    ]);
    expect(hostDependencies?.params).toEqual(
      QUERIES.find((q) => q.name === "host-dependencies")?.params,
    );
  });

  it("every route answers what the store answers, in the shape its OpenAPI schema declares", async () => {
    const validate = responseValidator();
    const slapd = processKeyOf(await store.snapshot(), SYSTEM.ldap1, "slapd");
    for (const route of QUERY_ROUTES) {
      const example = routeExample(route, slapd);
      const answer = await get(server, example.url);
      expect(answer.status, example.url).toBe(200);
      const direct = await store.runQuery(route.query.name, example.params);
      expect(answer.body.name).toBe(route.query.name);
      expect(answer.body.columns, example.url).toEqual(direct.columns);
      expect(answer.body.rows, example.url).toEqual(direct.rows);
      expect(validate(route.path, 200, answer.body), example.url).toEqual([]);
    }
    // The examples reach real data, not only empty answers.
    const nonEmpty = QUERY_ROUTES.filter((r) => r.query.name !== "down-systems");
    for (const route of nonEmpty) {
      const answer = await get(server, routeExample(route, slapd).url);
      expect(rowsOf(answer).length, route.path).toBeGreaterThan(0);
    }
  });

  it("resource aliases give the same rows as the catalogue routes, path parameters decoded", async () => {
    const line = (r: Row) =>
      `${r.direction} ${r.process_name} ${r.proto}/${r.port} ${r.peer_host}/${r.peer_process_name}`;
    const byAlias = await get(
      server,
      `/api/systems/${encodeURIComponent(SYSTEM.web1)}/dependencies`,
    );
    const byQuery = await get(server, "/api/queries/host-dependencies?host=web1");
    expect(rowsOf(byAlias).map(line)).toEqual([
      "used-by python3.11 tcp/8000 web1/nginx",
      "used-by redis-server tcp/6379 web1/python3.11",
      "uses nginx tcp/8000 web1/python3.11",
      "uses python3.11 tcp/5432 db1/postgres",
      "uses python3.11 tcp/6379 web1/redis-server",
    ]);
    expect(rowsOf(byQuery)).toEqual(rowsOf(byAlias));
    expect(byAlias.body.params).toEqual({ host: SYSTEM.web1 });

    // IPv6 in any form, in the path; the canonical form comes back.
    const ip = await get(server, "/api/ips/2001:DB8:0:0::10");
    expect(ip.body.params).toEqual({ ip: "2001:db8::10" });
    expect(rowsOf(ip).map((r) => [r.ip, r.relation, r.host])).toEqual([
      ["2001:db8::10", "assigned", "web1"],
    ]);
    const mac = await get(server, "/api/macs/0C-C4-7A-00-00-20");
    expect(rowsOf(mac).map((r) => [r.relation, r.host, r.ips])).toEqual([
      ["arp-neighbour", "web1", ["10.0.0.20"]],
      ["nic", "db1", ["10.0.0.20", "2001:db8::20"]],
    ]);
    const unmonitored = await get(server, "/api/unmonitored?host=ldap1");
    expect(rowsOf(unmonitored).map((r) => [r.name, r.listens])).toEqual([
      ["redis-server", ["tcp/127.0.0.1:6379"]],
      ["slapd", ["tcp/[::]:389"]],
    ]);
  });

  it("dependency trees by host and port, or by process key in the path", async () => {
    const line = (r: Row) =>
      `${r.depth} ${r.from_host}/${r.from_name} -> ${r.to_host}/${r.to_name} ${r.proto}/${r.port}`;
    const tree = await get(server, "/api/systems/web1/services/80/dependency-tree?depth=2");
    expect(tree.body.params).toEqual({
      host: "web1",
      port: 80,
      proto: "tcp",
      depth: 2,
      direction: "uses",
    });
    expect(rowsOf(tree).map(line)).toEqual([
      "1 web1/nginx -> web1/python3.11 tcp/8000",
      "2 web1/python3.11 -> db1/postgres tcp/5432",
      "2 web1/python3.11 -> web1/redis-server tcp/6379",
    ]);
    const slapd = processKeyOf(await store.snapshot(), SYSTEM.ldap1, "slapd");
    const usedBy = await get(
      server,
      `/api/processes/${encodeURIComponent(slapd)}/dependency-tree?direction=used-by`,
    );
    expect(rowsOf(usedBy).map(line)).toEqual([
      "1 ldap1/slapd -> db1/postgres tcp/389",
      "2 db1/postgres -> web1/python3.11 tcp/5432",
      "3 web1/python3.11 -> web1/nginx tcp/8000",
    ]);
  });

  it("numbers and lists come back as the store gives them", async () => {
    const answer = await get(server, "/api/switch-ports");
    expect(rowsOf(answer)).toEqual([
      {
        host: "web1",
        system: SYSTEM.web1,
        interface: "eth0",
        mac: "0c:c4:7a:00:00:10",
        switch: "sw1.example.net",
        switch_key: SWITCH,
        port_id: "Gi1/0/1",
        port_description: "web1 eth0",
        vlan_id: 10,
      },
    ]);
    const counts = await get(server, "/api/counts");
    const system = rowsOf(counts).find((r) => r.label === "System");
    expect(system).toEqual({ label: "System", active: 4, retired: 0 });
  });

  it("bad parameters: 400 with a JSON message naming the parameter", async () => {
    const cases: [string, string | null, RegExp][] = [
      ["/api/queries/find-ip?ip=10.0.0.256", "ip", /expected an IPv4 or IPv6 address/],
      ["/api/ips/not-an-ip", "ip", /expected an IPv4 or IPv6 address/],
      ["/api/macs/0c:c4:7a", "mac", /expected a MAC address/],
      ["/api/queries/find-ip", "ip", /is required/],
      ["/api/systems?kind=router", "kind", /expected one of host, switch/],
      ["/api/systems?colour=red", "colour", /unknown parameter; known: kind/],
      ["/api/counts?x=1", "x", /this query takes no parameters/],
      ["/api/systems?kind=host&kind=switch", "kind", /given more than once/],
      ["/api/systems/web1/dependencies?host=db1", "host", /already given in the path/],
      ["/api/systems/web1/services/eighty/dependency-tree", "port", /expected an integer/],
      ["/api/systems/web1/services/80/dependency-tree?depth=0", "depth", /at least 1/],
      ["/api/systems/web1/services/70000/dependency-tree", "port", /at most 65535/],
      ["/api/queries/dependency-tree?host=web1", null, /give process, or host and port/],
      ["/api/packages", null, /give exactly one of name and prefix/],
      ["/api/unmonitored?host=", "host", /expected a non-empty string/],
      ["/api/systems/web1%00/dependencies", "host", /control characters/],
      [`/api/unmonitored?host=${"x".repeat(600)}`, "host", /longer than 512/],
    ];
    for (const [path, parameter, message] of cases) {
      const answer = await get(server, path);
      expect(answer.status, path).toBe(400);
      expect(answer.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(answer.body.error, path).toBe("bad-parameter");
      expect(answer.body.parameter, path).toBe(parameter);
      expect(answer.body.message, path).toMatch(message);
      if (parameter) expect(answer.body.message, path).toContain(`"${parameter}"`);
    }
  });

  it("quotes and query syntax in values are data, never code", async () => {
    const hostile = encodeURIComponent("web1' OR '1'='1");
    const answer = await get(server, `/api/systems/${hostile}/dependencies`);
    expect(answer.status).toBe(200);
    expect(answer.body.rows).toEqual([]);
    const prefix = await get(server, "/api/packages?prefix=lib%25");
    expect(prefix.body.rows).toEqual([]);
  });

  it("unknown queries and paths: 404; other methods: 405; broken encoding: 400", async () => {
    const unknown = await get(server, "/api/queries/drop-everything");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: "not-found", query: "drop-everything" });
    expect(unknown.body.message).toMatch(/unknown query "drop-everything"; known queries: systems/);

    const nowhere = await get(server, "/api/nothing-here");
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error).toBe("not-found");

    const post = await get(server, "/api/systems", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect(post.body.error).toBe("method-not-allowed");

    const broken = await get(server, "/api/ips/%E0%A4%A");
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe("bad-request");
  });

  it("logs one structured line per request, with the id sent back in X-Request-Id", async () => {
    const before = log.length;
    const ok = await get(server, "/api/systems?kind=switch");
    const bad = await get(server, "/api/systems?kind=router");
    await new Promise((resolve) => setImmediate(resolve));
    const lines = log.slice(before);
    expect(lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ["GET", "/api/systems?kind=switch", 200],
      ["GET", "/api/systems?kind=router", 400],
    ]);
    expect(lines[0]?.request_id).toBe(ok.headers.get("x-request-id"));
    expect(lines[1]?.request_id).toBe(bad.headers.get("x-request-id"));
    expect(lines[0]?.remote).toMatch(/127\.0\.0\.1$/);
    expect(lines[0]?.bytes).toBe(Number(ok.headers.get("content-length")));
    expect(lines[0]?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(lines[0]?.time ?? "")).not.toBeNaN();
    expect(lines[0]?.error).toBeUndefined();
  });
});

describe("REST API when the store fails", () => {
  it("a store that fails: 500 without a stack or path, the cause in the log under the request id", async () => {
    const store = await freshStore();
    await ingestFixtureWorld(store);
    const { server, log } = await serve(store);
    expect((await get(server, "/api/systems")).status).toBe(200);
    await store.close(); // a real fault: every later read fails inside better-sqlite3's store

    const answer = await get(server, "/api/systems");
    expect(answer.status).toBe(500);
    expect(answer.body.error).toBe("store-failure");
    const id = answer.headers.get("x-request-id");
    expect(answer.body.request_id).toBe(id);
    const text = JSON.stringify(answer.body);
    expect(text).not.toMatch(/\bat \S+ \(|\.ts:|\.js:|graph\.sqlite|closed/);
    expect(text).not.toContain(store.file);
    await new Promise((resolve) => setImmediate(resolve));
    const line = log.find((l) => l.request_id === id);
    expect(line?.status).toBe(500);
    expect(line?.error).toContain("is closed");

    const health = await get(server, "/health");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "unavailable", store: "embedded" });
    expect(JSON.stringify(health.body)).not.toContain(store.file);
  });

  it("/health gives up on a store that never answers", async () => {
    // A store that hangs cannot be caused on demand with SQLite; this one never settles.
    const hanging: ApiStore = {
      adapter: "neo4j",
      runQuery: () => new Promise(() => undefined),
    };
    const { server, log } = await serve(hanging, { healthTimeoutMs: 200 });
    const answer = await get(server, "/health");
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: "unavailable", store: "neo4j" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.at(-1)?.error).toBe("no answer within 200 ms");
  });
});
