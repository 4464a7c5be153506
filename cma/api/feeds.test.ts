/**
 * /api/events, /api/drift and /api/graph over real HTTP on 127.0.0.1, served
 * from a real embedded store holding the contract suite's fixture world, with
 * real files for the events log and the drift feed.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseValidator } from "../../test/support/openapi.js";
import { ingestFixtureWorld, SYSTEM } from "../graph/contract/support.js";
import { type EmbeddedStore, openEmbeddedStore } from "../graph/embedded/store.js";
import { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from "./feeds.js";
import { type ApiServer, startApiServer } from "./server.js";

const dir = mkdtempSync(join(tmpdir(), "assim-feeds-"));
const eventsLog = join(dir, "events.jsonl");
const exportDir = join(dir, "out");
const servers: ApiServer[] = [];
let store: EmbeddedStore;
let server: ApiServer;

const event = (n: number) => ({
  id: `event-${n}`,
  time: new Date(Date.UTC(2026, 2, 1, 10, 0, n)).toISOString(),
  type: n % 2 ? "host_down" : "host_up",
  severity: n % 2 ? "critical" : "info",
  system: SYSTEM.web1,
  hostname: "web1",
  reason: `reason ${n}`,
});

beforeAll(async () => {
  store = await openEmbeddedStore({ dataDir: join(dir, "store") });
  await ingestFixtureWorld(store);
  writeFileSync(
    eventsLog,
    Array.from({ length: 150 }, (_, i) => `${JSON.stringify(event(i))}\n`).join(""),
  );
  mkdirSync(exportDir);
  server = await startApiServer({ store, port: 0, eventsLog, exportDir });
  servers.push(server);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(target: ApiServer, path: string) {
  const response = await fetch(`${target.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const ids = (body: Record<string, unknown>) =>
  (body.entries as { id: string }[]).map((entry) => entry.id);

describe("/api/events", () => {
  it("answers the newest entries, oldest first, as many as the limit asks", async () => {
    const all = await get(server, "/api/events");
    expect(all.status).toBe(200);
    expect(all.body.feed).toBe("events");
    expect(ids(all.body)).toEqual(
      Array.from({ length: FEED_DEFAULT_LIMIT }, (_, i) => `event-${150 - FEED_DEFAULT_LIMIT + i}`),
    );
    expect(all.body.entries).toContainEqual(event(149));
    expect(ids((await get(server, "/api/events?limit=3")).body)).toEqual([
      "event-147",
      "event-148",
      "event-149",
    ]);
    expect(ids((await get(server, `/api/events?limit=${FEED_MAX_LIMIT}`)).body)).toHaveLength(150);
  });

  it("sees lines appended since the last answer", async () => {
    appendFileSync(eventsLog, `${JSON.stringify(event(150))}\n`);
    expect(ids((await get(server, "/api/events?limit=2")).body)).toEqual([
      "event-149",
      "event-150",
    ]);
  });

  it("skips and counts lines that are not JSON objects, a half-written last line included", async () => {
    const path = join(dir, "messy.jsonl");
    writeFileSync(
      path,
      `${JSON.stringify(event(1))}\nnot json\n[1,2]\n"text"\nnull\n${JSON.stringify(event(2))}\n{"id":"event-3","ti`,
    );
    const messy = await startApiServer({ store, port: 0, eventsLog: path });
    servers.push(messy);
    const answer = await get(messy, "/api/events?limit=10");
    expect(ids(answer.body)).toEqual(["event-1", "event-2"]);
    expect(answer.body.skipped).toBe(5);
    // The limit counts lines read, skipped ones included.
    const lastTwo = await get(messy, "/api/events?limit=2");
    expect(ids(lastTwo.body)).toEqual(["event-2"]);
    expect(lastTwo.body.skipped).toBe(1);
  });

  it.each([
    ["0", "limit"],
    ["1001", "limit"],
    ["-1", "limit"],
    ["ten", "limit"],
    ["1.5", "limit"],
    ["", "limit"],
  ])("limit=%s is a bad parameter", async (limit, parameter) => {
    const answer = await get(server, `/api/events?limit=${limit}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "bad-parameter", parameter });
  });

  it("a repeated limit or another parameter is a bad parameter", async () => {
    expect((await get(server, "/api/events?limit=1&limit=2")).body).toMatchObject({
      error: "bad-parameter",
      parameter: "limit",
    });
    expect((await get(server, "/api/drift?host=web1")).body).toMatchObject({
      error: "bad-parameter",
      parameter: "host",
    });
  });
});

describe("/api/drift", () => {
  it("is empty with a note until the exporters write OUT/drift.jsonl, then answers its tail", async () => {
    const before = await get(server, "/api/drift");
    expect(before.body).toEqual({
      feed: "drift",
      entries: [],
      skipped: 0,
      note: "the drift file does not exist yet",
    });
    const line = {
      at: "2026-03-01T11:00:00.000Z",
      since: "2026-03-01T10:00:00.000Z",
      change: "changed",
      id: "ci:host:web1",
      kind: "ci",
      field: "status",
      old: "up",
      new: "down",
    };
    writeFileSync(join(exportDir, "drift.jsonl"), `${JSON.stringify(line)}\n`);
    expect((await get(server, "/api/drift")).body).toEqual({
      feed: "drift",
      entries: [line],
      skipped: 0,
    });
  });
});

describe("feeds not configured", () => {
  it("answer an empty list with a note", async () => {
    const bare = await startApiServer({ store, port: 0 });
    servers.push(bare);
    expect((await get(bare, "/api/events")).body).toEqual({
      feed: "events",
      entries: [],
      skipped: 0,
      note: "no events file is configured",
    });
    expect((await get(bare, "/api/drift?limit=5")).body).toEqual({
      feed: "drift",
      entries: [],
      skipped: 0,
      note: "no drift file is configured",
    });
  });
});

describe("/api/graph", () => {
  it("answers the live hosts and the host-to-host dependencies between them", async () => {
    const answer = await get(server, "/api/graph");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      nodes: [
        { id: SYSTEM.db1, name: "db1", status: "up" },
        { id: SYSTEM.ldap1, name: "ldap1", status: "up" },
        { id: SYSTEM.web1, name: "web1", status: "up" },
      ],
      edges: [
        { source: SYSTEM.db1, target: SYSTEM.ldap1, services: ["slapd tcp/389"] },
        { source: SYSTEM.web1, target: SYSTEM.db1, services: ["postgres tcp/5432"] },
      ],
      truncated: false,
    });
  });

  it("shows a status change and leaves a retired host out", async () => {
    await store.write(async (tx) => {
      await tx.setSystemStatus(SYSTEM.db1, "down", "test", "2026-03-01T12:00:00.000Z");
    });
    const down = await get(server, "/api/graph");
    expect(down.body.nodes).toContainEqual({ id: SYSTEM.db1, name: "db1", status: "down" });
    await store.write(async (tx) => {
      await tx.retireSystem(SYSTEM.ldap1, "2026-03-01T12:00:00.000Z");
    });
    const retired = await get(server, "/api/graph");
    expect((retired.body.nodes as { name: string }[]).map((n) => n.name)).toEqual(["db1", "web1"]);
    expect(retired.body.edges).toEqual([
      { source: SYSTEM.web1, target: SYSTEM.db1, services: ["postgres tcp/5432"] },
    ]);
  });

  it("takes no parameters", async () => {
    expect((await get(server, "/api/graph?depth=2")).body).toMatchObject({
      error: "bad-parameter",
      parameter: "depth",
    });
  });
});

describe("answers conform to the OpenAPI document", () => {
  it("events, drift, graph and their 400s", async () => {
    const validate = responseValidator();
    for (const path of ["/api/events", "/api/drift", "/api/graph"]) {
      const answer = await get(server, path);
      expect(validate(path, 200, answer.body), path).toEqual([]);
      const bad = await get(server, `${path}?limit=0&x=1`);
      expect(validate(path, 400, bad.body), path).toEqual([]);
    }
  });
});
