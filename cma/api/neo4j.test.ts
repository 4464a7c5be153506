/**
 * The REST API over the Neo4j adapter and a real Neo4j (the project's launcher,
 * ephemeral Bolt port on 127.0.0.1): the same answers as the store gives, and
 * what a client sees when the DBMS goes away. Skips, saying why, where Neo4j
 * cannot start; under CI=true it must run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NEO4J_START_TIMEOUT_MS,
  NEO4J_STOP_TIMEOUT_MS,
  neo4jSkipReason,
  startTestNeo4j,
  type TestNeo4j,
} from "../../test/support/neo4j.js";
import { ingestFixtureWorld, SYSTEM } from "../graph/contract/support.js";
import { openNeo4jStore } from "../graph/neo4j/store.js";
import type { GraphStore } from "../graph/store.js";
import type { RequestLogLine } from "./request-log.js";
import { type ApiServer, startApiServer } from "./server.js";

const skipReason = neo4jSkipReason();

describe.skipIf(skipReason !== "")(
  `REST API over a real Neo4j${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let neo4j: TestNeo4j;
    let store: GraphStore;
    let server: ApiServer;
    const log: RequestLogLine[] = [];

    beforeAll(async () => {
      neo4j = await startTestNeo4j();
      store = await openNeo4jStore({ uri: neo4j.uri });
      await ingestFixtureWorld(store);
      server = await startApiServer({
        store,
        port: 0,
        log: (line) => log.push(line),
        healthTimeoutMs: 3_000,
      });
    }, NEO4J_START_TIMEOUT_MS);

    afterAll(async () => {
      await server?.close();
      await store?.close();
      await neo4j?.stop();
    }, NEO4J_STOP_TIMEOUT_MS);

    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it("/health names the neo4j adapter", async () => {
      expect(await get("/health")).toEqual({ status: 200, body: { status: "ok", store: "neo4j" } });
    });

    it("answers as the store does, integers as JSON numbers", async () => {
      for (const [path, query, params] of [
        ["/api/systems", "systems", {}],
        ["/api/systems/web1/dependencies", "host-dependencies", { host: "web1" }],
        ["/api/ips/10.0.0.20", "find-ip", { ip: "10.0.0.20" }],
        ["/api/unmonitored", "unmonitored-services", {}],
        ["/api/counts", "node-counts", {}],
      ] as const) {
        const answer = await get(path);
        expect(answer.status, path).toBe(200);
        expect(answer.body.rows, path).toEqual((await store.runQuery(query, params)).rows);
      }
      const uses = (
        (await get(`/api/systems/${SYSTEM.db1}/dependencies`)).body.rows as {
          direction: string;
          port: unknown;
          peer_host: string;
        }[]
      ).find((r) => r.direction === "uses");
      expect(uses).toMatchObject({ port: 389, peer_host: "ldap1" });
    });

    it("when the DBMS stops: /health 503 within its timeout, queries 500 without internals", async () => {
      await neo4j.stop();
      const health = await get("/health");
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: "unavailable", store: "neo4j" });
      const query = await get("/api/systems");
      expect(query.status).toBe(500);
      expect(query.body.error).toBe("store-failure");
      expect(JSON.stringify(query.body)).not.toMatch(/bolt:|127\.0\.0\.1|\.js:|\bat /);
      const logged = log.find((l) => l.request_id === query.body.request_id);
      expect(logged?.error).toBeTruthy();
    }, 120_000);
  },
);
